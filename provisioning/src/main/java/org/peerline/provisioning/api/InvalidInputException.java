package org.peerline.provisioning.api;

/**
 * A value given to provisioning is not acceptable. The message starts with the field it concerns, then says why,
 * for example {@code name: character ':' is not allowed ...} or {@code users[17].extension: must be 2-15 digits}.
 */
public final class InvalidInputException extends ProvisioningException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param field  the field, for example {@code name} or {@code users[3].password}
     * @param reason why the value is rejected; never contains a password
     */
    public InvalidInputException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /**
     * Returns the field the problem is in.
     *
     * @return the field name, possibly with a batch position such as {@code users[3].name}
     */
    public String field() {
        return field;
    }

    /**
     * Returns why the value is rejected, without the field name.
     *
     * @return the reason, for example {@code must be 2-15 digits}
     */
    public String reason() {
        return reason;
    }
}
