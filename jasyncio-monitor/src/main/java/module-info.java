/** The live monitor console and the reader of other processes' tasks. */
module io.jasyncio.monitor {
    requires io.jasyncio;
    requires com.fasterxml.jackson.databind;
    requires java.management;
    requires jdk.attach;
    requires jdk.unsupported;
    exports io.jasyncio.monitor;
}
