/** The jasyncio test kit: {@link io.jasyncio.test.AsyncioExtension} and its annotations. */
module io.jasyncio.test {
    requires transitive io.jasyncio;
    requires transitive org.junit.jupiter.api;
    exports io.jasyncio.test;
}
