package io.starling.mqtt.tools.bench;

import io.netty.channel.EventLoopGroup;
import io.starling.mqtt.tools.client.ClientTransport;
import io.starling.mqtt.tools.client.MessageListener;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The life of a {@code bench conn|pub|sub} run: check the open-files limit, connect the clients, measure
 * (the subclass), disconnect, print the summary. Connections run on a group of their own
 * ({@code --threads} loops, epoll where it loads), shut down at the end.
 */
abstract class BenchRun {
    /** How often the controlling thread looks at the counters. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    final ConnectionPlan plan;
    final PrintStream out;
    final PrintStream err;
    final Meter meter;
    final Stopper stopper = new Stopper();
    Connections connections;

    BenchRun(ConnectionPlan plan, Meter meter, PrintStream out, PrintStream err) {
        this.plan = plan;
        this.meter = meter;
        this.out = out;
        this.err = err;
    }

    /** The listener of client number {@code index} (from 1). */
    abstract MessageListener listener(int index);

    /** Runs the measured part, once connected; returns the exit status. */
    abstract int measure() throws InterruptedException;

    /** The summary, read after the connections closed. */
    abstract Report report();

    final int execute() {
        String tooMany = FileLimits.check(plan.clients(), FileLimits.openFiles());
        if (tooMany != null) {
            err.println(tooMany);
            return 1;
        }
        EventLoopGroup group = ClientTransport.newGroup(plan.threads());
        connections = new Connections(plan, group, meter);
        stopper.install();
        try {
            if (plan.progress()) {
                meter.startProgress(err);
            }
            connections.open(this::listener, stopper::stopped);
            if (meter.connected.get() == 0) {
                meter.stopProgress();
                err.println("Error: no client connected: " + connections.firstError());
                return 1;
            }
            err.printf("connected %d/%d%n", meter.connected.get(), plan.clients());
            err.flush();
            long cpuBefore = processCpuNanos();
            int status = measure();
            long cpuNanos = processCpuNanos() - cpuBefore;
            meter.stopProgress();
            connections.closeAll();
            Report report = report();
            connections.report(report);
            report.value("errors", meter.errors.sum());
            if (cpuBefore >= 0) {
                // What the load itself costs: with the broker on the same cores, it is CPU the broker does not get.
                report.value("cpu_ms", cpuNanos / 1e6);
            }
            report.print(out);
            return meter.errors.sum() > 0 && status == 0 ? 2 : status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            meter.stopProgress();
            stopper.finished();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** CPU time of this process (all threads) in nanoseconds, or -1 where the JVM does not tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * Waits until {@code done} holds, the duration (counted from {@code startNanos}) is over, or a stop is
     * requested. Returns the time it ended.
     */
    long waitUntil(BooleanSupplier done, long startNanos) throws InterruptedException {
        long end = plan.duration().isZero() ? Long.MAX_VALUE : startNanos + plan.duration().toNanos();
        while (true) {
            long now = System.nanoTime();
            if (done.getAsBoolean() || now - end >= 0) {
                return now;
            }
            if (stopper.await(Math.min(POLL_NANOS, end - now))) {
                return System.nanoTime();
            }
        }
    }
}
