package com.example.logging;

import io.jasyncio.Asyncio;

/** A callback that fails: the loop's default exception handler logs it at ERROR on "io.jasyncio". */
public final class LogThroughSlf4j {
    public static void main(String[] args) {
        Asyncio.run(() -> {
            Asyncio.getRunningLoop().callSoon(() -> {
                throw new IllegalStateException("boom");
            });
            Asyncio.sleep(0.01);
            return null;
        });
        System.out.println("done");
    }
}
