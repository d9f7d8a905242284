package io.jasyncio.bench.jmh;

import io.jasyncio.EventLoop;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What every jasyncio JMH benchmark shares: nanoseconds per operation, one fork with
 * {@code java.lang} opened (so both scheduling modes can run), and the {@code scheduling}
 * parameter ({@code -p scheduling=shared,dedicated}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
@State(Scope.Thread)
public abstract class JmhLoops {
    @Param({"shared", "dedicated"})
    public String scheduling;

    /** @return a loop builder in the benchmark's scheduling mode */
    protected EventLoop.Builder loop() {
        System.setProperty("jasyncio.scheduler", scheduling);
        return EventLoop.builder();
    }
}
