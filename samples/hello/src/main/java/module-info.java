/** Optional: with it the program is a named module too, and runs on the module path. */
module com.example.hello {
    requires io.jasyncio;
}
