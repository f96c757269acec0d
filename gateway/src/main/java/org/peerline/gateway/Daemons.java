package org.peerline.gateway;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/** The daemon's background threads: named (they show in logs and thread dumps) and never keeping the JVM up. */
public final class Daemons {
    private Daemons() {
    }

    /** Threads named {@code name}, daemon threads. */
    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A single-threaded scheduler on a daemon thread named {@code name}. */
    public static ScheduledExecutorService timer(String name) {
        return Executors.newSingleThreadScheduledExecutor(named(name));
    }
}
