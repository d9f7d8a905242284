/** SLF4J's modules need no "requires": the JDK finds the System.LoggerFinder they provide. */
module com.example.logging {
    requires io.jasyncio;
}
