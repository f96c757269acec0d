package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;

/**
 * Debian tools the end-to-end tests drive. Where a tool is missing the test is skipped with a message
 * saying which package brings it, except under CI ({@code PEERLINE_REQUIRE_TOOLS=1}, set by .ci/run),
 * where a missing tool fails the test: there the tools are installed, and a skip would hide a test.
 */
final class Tools {
    private Tools() {
    }

    static void require(String tool, String debianPackage) {
        boolean present = onPath(tool);
        if (!present && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail(tool + " is not installed (Debian package " + debianPackage + ") but PEERLINE_REQUIRE_TOOLS=1");
        }
        assumeTrue(present, tool + " is not installed (Debian package " + debianPackage + "); .ci/run installs it");
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        for (String d : (path == null ? "/usr/bin:/usr/sbin" : path + ":/usr/sbin").split(File.pathSeparator)) {
            if (new File(d, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
