package io.jasyncio.test;

import io.jasyncio.Scheduling;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Settings of the loop {@link AsyncioExtension} runs a test on. On a class, they apply to its
 * tests; on a method, they replace the class's.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface AsyncioSettings {
    /** {@return whether the loop runs on a {@link io.jasyncio.VirtualClock} (true) or the system clock} */
    boolean virtualTime() default true;

    /** {@return whether virtual time jumps to the next timer when every task waits (false: advance it by hand)} */
    boolean autojump() default true;

    /** {@return whether the loop runs in debug mode (creation sites, cancellation sites, slow steps)} */
    boolean debug() default true;

    /** {@return real seconds after which a test that has not finished fails with a task dump} */
    double timeout() default 30;

    /** {@return how the loop schedules its tasks ({@code AUTO} follows {@code -Djasyncio.scheduler})} */
    Scheduling scheduling() default Scheduling.AUTO;
}
