package org.peerline.provisioning.phones;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A time zone reduced to what desk phones can be told: a standard offset and at most one yearly daylight-saving
 * rule, the form every vendor's settings (and a POSIX {@code TZ} string) take.
 *
 * <p>The rule is the zone's ongoing one ({@link ZoneRules#getTransitionRules()}), so it does not depend on the date;
 * the standard offset is taken at a given instant, which callers fix in tests. Zones whose future is only a list of
 * explicit transitions (e.g. Africa/Casablanca) get no rule.
 *
 * @param standardOffset the offset outside daylight-saving time
 * @param dst            the yearly rule, or null if the zone keeps one offset all year
 */
record ZoneSummary(ZoneOffset standardOffset, Dst dst) {
    /**
     * Daylight-saving time.
     *
     * @param offset the offset during daylight-saving time
     * @param start  when it starts (the clocks go to {@code offset})
     * @param end    when it ends (the clocks go back to the standard offset)
     */
    record Dst(ZoneOffset offset, Change start, Change end) {
        /** Returns how far daylight-saving time moves the clocks, in minutes (usually 60). */
        int savingMinutes(ZoneOffset standard) {
            return (offset.getTotalSeconds() - standard.getTotalSeconds()) / 60;
        }
    }

    /**
     * One yearly change of offset, as "the first {@code dayOfWeek} on or after day {@code dayOfMonth} of
     * {@code month}" (or, if {@code dayOfMonth} is negative, on or before that many days from the month's end) at a
     * local wall-clock time.
     *
     * @param month       the month
     * @param dayOfMonth  the day-of-month indicator of {@link ZoneOffsetTransitionRule#getDayOfMonthIndicator()}
     * @param dayOfWeek   the weekday
     * @param wallSeconds the time of day on the clocks just before the change, in seconds; may fall outside 0-86399
     *                    when the rule is defined in UTC or standard time
     */
    record Change(Month month, int dayOfMonth, DayOfWeek dayOfWeek, int wallSeconds) {
        /** Returns whether the change falls in the month's last week ({@code lastSun} and {@code Sun>=25}). */
        boolean lastInMonth() {
            return dayOfMonth < 0 || dayOfMonth + 6 == month.maxLength();
        }

        /**
         * Returns the week of the month, 1-4, or 5 for the last. Exact when the rule starts on day 1, 8, 15 or 22
         * or in the last week, as civil rules do; otherwise the week the rule's first possible day falls in.
         */
        int week() {
            return lastInMonth() ? 5 : Math.min(5, (dayOfMonth - 1) / 7 + 1);
        }

        /** Returns the wall-clock hour for formats that take 0-23 only (clamped; exact for civil rules). */
        int hour() {
            return Math.max(0, Math.min(23, Math.floorDiv(wallSeconds, 3600)));
        }

        /** Returns the wall-clock time as {@code hh:mm:ss}, hours possibly beyond 23 or negative. */
        String hms() {
            int s = Math.abs(wallSeconds);
            return String.format(Locale.ROOT, "%s%02d:%02d:%02d", wallSeconds < 0 ? "-" : "", s / 3600,
                    s / 60 % 60, s % 60);
        }

        static Change of(ZoneOffsetTransitionRule rule) {
            int local = rule.getLocalTime().toSecondOfDay() + (rule.isMidnightEndOfDay() ? 86_400 : 0);
            int before = rule.getOffsetBefore().getTotalSeconds();
            int shift = switch (rule.getTimeDefinition()) {
                case UTC -> before;
                case STANDARD -> before - rule.getStandardOffset().getTotalSeconds();
                case WALL -> 0;
            };
            return new Change(rule.getMonth(), rule.getDayOfMonthIndicator(), rule.getDayOfWeek(), local + shift);
        }
    }

    /**
     * Summarises a zone.
     *
     * @param zone the zone
     * @param at   the instant whose standard offset to take
     * @return the summary
     */
    static ZoneSummary of(ZoneId zone, Instant at) {
        ZoneRules rules = zone.getRules();
        ZoneOffset standard = rules.getStandardOffset(at);
        List<ZoneOffsetTransitionRule> yearly = rules.getTransitionRules();
        if (yearly.size() != 2) {
            return new ZoneSummary(standard, null);
        }
        ZoneOffsetTransitionRule first = yearly.get(0);
        ZoneOffsetTransitionRule second = yearly.get(1);
        boolean firstStarts = !first.getOffsetAfter().equals(first.getStandardOffset());
        ZoneOffsetTransitionRule start = firstStarts ? first : second;
        ZoneOffsetTransitionRule end = firstStarts ? second : first;
        return new ZoneSummary(standard, new Dst(start.getOffsetAfter(), Change.of(start), Change.of(end)));
    }

    /** Returns the daylight-saving rule, if the zone has one. */
    Optional<Dst> daylightSaving() {
        return Optional.ofNullable(dst);
    }

    /**
     * Returns the zone as a POSIX {@code TZ} string with numeric abbreviations, in the long form Grandstream's
     * documentation uses: {@code <+01>-1<+02>-2,M3.5.0/02:00:00,M10.5.0/03:00:00} for Europe/Paris,
     * {@code <+0530>-5:30} for Asia/Kolkata. The signs are POSIX's: positive west of Greenwich.
     */
    String posix() {
        StringBuilder tz = new StringBuilder(64)
                .append(abbreviation(standardOffset)).append(posixOffset(standardOffset));
        if (dst != null) {
            tz.append(abbreviation(dst.offset())).append(posixOffset(dst.offset()))
                    .append(',').append(posixRule(dst.start()))
                    .append(',').append(posixRule(dst.end()));
        }
        return tz.toString();
    }

    private static String posixRule(Change change) {
        return "M" + change.month().getValue() + "." + change.week() + "." + change.dayOfWeek().getValue() % 7
                + "/" + change.hms();
    }

    /** Returns {@code <+01>}, {@code <+0530>}, {@code <-05>}: the quoted numeric form tzdata uses. */
    private static String abbreviation(ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        int s = Math.abs(total);
        StringBuilder name = new StringBuilder("<").append(total < 0 ? '-' : '+')
                .append(String.format(Locale.ROOT, "%02d", s / 3600));
        if (s % 3600 != 0) {
            name.append(String.format(Locale.ROOT, "%02d", s / 60 % 60));
        }
        if (s % 60 != 0) {
            name.append(String.format(Locale.ROOT, "%02d", s % 60));
        }
        return name.append('>').toString();
    }

    /** Returns the POSIX offset: hours west of Greenwich, {@code -1}, {@code -5:30}, {@code 5}, {@code 0}. */
    private static String posixOffset(ZoneOffset offset) {
        int west = -offset.getTotalSeconds();
        return (west < 0 ? "-" : "") + hoursMinutes(Math.abs(west));
    }

    /** Returns {@code h}, {@code h:mm} or {@code h:mm:ss} for a non-negative number of seconds. */
    static String hoursMinutes(int seconds) {
        String hours = Integer.toString(seconds / 3600);
        if (seconds % 3600 == 0) {
            return hours;
        }
        String minutes = String.format(Locale.ROOT, "%s:%02d", hours, seconds / 60 % 60);
        return seconds % 60 == 0 ? minutes : minutes + String.format(Locale.ROOT, ":%02d", seconds % 60);
    }
}
