package org.peerline.gateway.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Measures tones in a 16-bit mono PCM WAV file, to tell whose audio a phone heard. */
final class Tone {
    private Tone() {
    }

    /** Samples of a canonical WAV file (44-byte header, 16-bit little-endian mono). */
    static short[] samples(Path wav) throws IOException {
        byte[] b = Files.readAllBytes(wav);
        if (b.length < 44) {
            return new short[0];
        }
        ByteBuffer buf = ByteBuffer.wrap(b, 44, b.length - 44).order(ByteOrder.LITTLE_ENDIAN);
        short[] s = new short[buf.remaining() / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = buf.getShort();
        }
        return s;
    }

    /** Power of {@code hz} in the samples (Goertzel), normalised by the signal's total power: 0..~0.5. */
    static double share(short[] s, int rate, double hz) {
        double coeff = 2 * Math.cos(2 * Math.PI * hz / rate);
        double q1 = 0;
        double q2 = 0;
        double total = 0;
        for (short v : s) {
            double q0 = coeff * q1 - q2 + v;
            q2 = q1;
            q1 = q0;
            total += (double) v * v;
        }
        double power = q1 * q1 + q2 * q2 - coeff * q1 * q2;
        return total == 0 ? 0 : power / (total * s.length);
    }
}
