package org.peerline.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The real node code over the simulated network: a ring forms, every record stored is found, and it
 * still is while nodes crash; a run replays exactly from its seed.
 */
class SimulationTest {
    @Test
    void aSmallRingStoresAndFindsEverythingWithoutChurn() {
        var sim = new Simulation(new Simulation.Params(40, 1, 0, 11, 400, 20, 0));
        var r = sim.run();
        System.out.println(r.toJson());
        assertTrue(sim.consistency().startsWith("40/40"), "every node knows its true successor and predecessor: "
                + sim.consistency());
        assertEquals(40, r.joined(), "seed 11: " + r.toJson());
        assertEquals(r.stores(), r.storesOk(), "seed 11: " + r.toJson());
        assertEquals(r.lookups(), r.lookupsOk(), "seed 11: " + r.toJson());
        assertTrue(r.lookups() > 900, r.toJson());
    }

    @Test
    void lookupsSucceedWhileTenPercentOfNodesAreReplacedEachMinute() {
        var r = new Simulation(new Simulation.Params(60, 2, 0.1, 5, 600, 20, 0)).run();
        System.out.println(r.toJson());
        assertTrue(r.crashes() >= 6, "seed 5: " + r.toJson());
        assertTrue(r.lookupSuccess() >= 0.99, "seed 5: " + r.toJson());
    }

    @Test
    void theSameSeedReplaysTheSameRun() {
        var a = new Simulation(new Simulation.Params(20, 0.5, 0.2, 3, 100, 10, 0.01)).run();
        var b = new Simulation(new Simulation.Params(20, 0.5, 0.2, 3, 100, 10, 0.01)).run();
        assertEquals(a.toJson().replaceAll("\"wall_s\":[0-9.]+", ""), b.toJson().replaceAll("\"wall_s\":[0-9.]+", ""));
    }
}
