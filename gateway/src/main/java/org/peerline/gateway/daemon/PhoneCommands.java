package org.peerline.gateway.daemon;

import java.io.PrintWriter;
import java.util.List;
import org.peerline.provisioning.api.NewPhone;
import org.peerline.provisioning.api.Phone;
import org.peerline.provisioning.api.Provisioning;
import org.peerline.provisioning.api.ProvisioningException;
import org.peerline.provisioning.api.Vendor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code peerline phone add|list|remove}: the site's desk phones, in the data directory (works while the daemon runs). */
final class PhoneCommands {
    private PhoneCommands() {
    }

    /** Converts {@code --vendor} with the message of {@link Vendor#parse}. */
    static final class VendorConverter implements CommandLine.ITypeConverter<Vendor> {
        @Override
        public Vendor convert(String value) {
            try {
                return Vendor.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Command(name = "add", description = "Add a phone by MAC address; it then fetches its configuration from the box.")
    static final class Add extends Main.UserBase {
        @Parameters(paramLabel = "MAC", description = "e.g. 00:15:65:12:ab:3c")
        String mac;
        @Option(names = "--vendor", required = true, paramLabel = "VENDOR", converter = VendorConverter.class,
                description = "yealink, polycom, grandstream or cisco")
        Vendor vendor;
        @Option(names = "--user", required = true, paramLabel = "NAME",
                description = "the user on the phone's line (repeat for lines 2, 3, ...)")
        List<String> users;
        @Option(names = "--model", paramLabel = "MODEL", description = "the model, e.g. T46U (for people)")
        String model;

        @Override
        int run(Provisioning p, PrintWriter out) throws ProvisioningException {
            Phone phone = p.phones().add(new NewPhone(mac, vendor, model, users));
            out.println("added phone " + phone.displayMac() + " (" + phone.vendor().id() + ") with lines "
                    + String.join(", ", phone.lines()));
            out.println("its SIP password (for setting it up by hand): " + phone.password());
            out.println("it fetches " + PhoneCommands.firstFile(phone) + " over HTTP (/provision/) or TFTP");
            return 0;
        }
    }

    @Command(name = "list", description = "List the phones.")
    static final class ListPhones extends Main.UserBase {
        @Override
        int run(Provisioning p, PrintWriter out) {
            out.printf("%-17s %-11s %-10s %s%n", "MAC", "VENDOR", "MODEL", "LINES");
            for (Phone phone : p.phones().list()) {
                out.printf("%-17s %-11s %-10s %s%n", phone.displayMac(), phone.vendor().id(),
                        phone.model() == null ? "-" : phone.model(), String.join(", ", phone.lines()));
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a phone; its password stops working at once.")
    static final class Remove extends Main.UserBase {
        @Parameters(paramLabel = "MAC")
        String mac;

        @Override
        int run(Provisioning p, PrintWriter out) throws ProvisioningException {
            if (!p.phones().remove(mac)) {
                System.err.println("peerline: no phone " + mac);
                return Main.FAILURE;
            }
            out.println("removed phone " + mac);
            return 0;
        }
    }

    /** The name of the first file the phone asks for, for the operator. */
    static String firstFile(Phone phone) {
        return switch (phone.vendor()) {
            case YEALINK, POLYCOM -> phone.mac() + ".cfg";
            case GRANDSTREAM -> "cfg" + phone.mac() + ".xml";
            case CISCO -> "spa" + phone.mac() + ".xml";
        };
    }
}
