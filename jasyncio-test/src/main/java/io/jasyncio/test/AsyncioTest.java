package io.jasyncio.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test method that runs as the main task of a fresh event loop, with virtual time, debug mode and
 * leak checks: {@code @Test} plus {@code @ExtendWith(AsyncioExtension.class)}. Tune it with
 * {@link AsyncioSettings}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(AsyncioExtension.class)
public @interface AsyncioTest {
}
