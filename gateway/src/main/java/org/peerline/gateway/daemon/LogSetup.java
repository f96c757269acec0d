package org.peerline.gateway.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Applies the configured log levels to logback (configured by {@code logback.xml} in the jar). */
final class LogSetup {
    private LogSetup() {
    }

    /** Routes java.util.logging (ice4j's) to SLF4J, once. */
    static void bridgeJul() {
        if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
    }

    static void apply(PeerlineConfig.Log log) {
        root().setLevel(Level.toLevel(log.level(), Level.INFO));
        Level stack = Level.toLevel(log.sipStackLevel(), Level.WARN);
        ((Logger) LoggerFactory.getLogger("javax.sip")).setLevel(stack);
        ((Logger) LoggerFactory.getLogger("gov.nist")).setLevel(stack);
    }

    /** Commands other than {@code run} print only warnings and errors. */
    static void quiet() {
        root().setLevel(Level.WARN);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
