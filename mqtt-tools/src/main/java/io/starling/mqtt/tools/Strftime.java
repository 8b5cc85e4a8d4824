package io.starling.mqtt.tools;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * C's {@code strftime} in the "C" locale, one conversion at a time, as glibc prints it: what
 * mosquitto_sub's {@code @X} format tokens and its {@code %I} and JSON timestamps produce. A conversion
 * glibc does not know is printed as written ("%q"), as glibc does.
 */
final class Strftime {
    private static final DateTimeFormatter ZONE_NAME = DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH);

    private Strftime() {
    }

    /** The text of {@code %c} for {@code t}. */
    static String format(char conversion, ZonedDateTime t) {
        switch (conversion) {
            case 'a': return t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A': return t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'b':
            case 'h': return t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B': return t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'c': return format('a', t) + " " + format('b', t) + " " + format('e', t) + " " + format('T', t)
                    + " " + t.getYear();
            case 'C': return two(Math.floorDiv(t.getYear(), 100));
            case 'd': return two(t.getDayOfMonth());
            case 'D': return format('m', t) + "/" + format('d', t) + "/" + format('y', t);
            case 'e': return spaced(t.getDayOfMonth());
            case 'F': return year(t.getYear()) + "-" + format('m', t) + "-" + format('d', t);
            case 'g': return two(Math.floorMod(t.get(IsoFields.WEEK_BASED_YEAR), 100));
            case 'G': return Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
            case 'H': return two(t.getHour());
            case 'I': return two(hour12(t));
            case 'j': return String.format("%03d", t.getDayOfYear());
            case 'k': return spaced(t.getHour());
            case 'l': return spaced(hour12(t));
            case 'm': return two(t.getMonthValue());
            case 'M': return two(t.getMinute());
            case 'n': return "\n";
            case 'p': return t.getHour() < 12 ? "AM" : "PM";
            case 'P': return t.getHour() < 12 ? "am" : "pm";
            case 'r': return format('I', t) + ":" + format('M', t) + ":" + format('S', t) + " " + format('p', t);
            case 'R': return format('H', t) + ":" + format('M', t);
            case 's': return Long.toString(t.toEpochSecond());
            case 'S': return two(t.getSecond());
            case 't': return "\t";
            case 'T': return format('H', t) + ":" + format('M', t) + ":" + format('S', t);
            case 'u': return Integer.toString(t.getDayOfWeek().getValue());
            case 'U': return two((t.getDayOfYear() - 1 + 7 - sundayBased(t)) / 7);
            case 'V': return two(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case 'w': return Integer.toString(sundayBased(t));
            case 'W': return two((t.getDayOfYear() - 1 + 7 - (t.getDayOfWeek().getValue() - 1)) / 7);
            case 'x': return format('D', t);
            case 'X': return format('T', t);
            case 'y': return two(Math.floorMod(t.getYear(), 100));
            case 'Y': return Integer.toString(t.getYear());
            case 'z': return offset(t);
            case 'Z': return ZONE_NAME.format(t);
            case '%': return "%";
            default: return "%" + conversion;
        }
    }

    /** {@code %z}: +hhmm. */
    static String offset(ZonedDateTime t) {
        int seconds = t.getOffset().getTotalSeconds();
        int minutes = Math.abs(seconds) / 60;
        return (seconds < 0 ? "-" : "+") + two(minutes / 60) + two(minutes % 60);
    }

    private static int sundayBased(ZonedDateTime t) {
        DayOfWeek d = t.getDayOfWeek();
        return d == DayOfWeek.SUNDAY ? 0 : d.getValue();
    }

    private static int hour12(ZonedDateTime t) {
        int h = t.getHour() % 12;
        return h == 0 ? 12 : h;
    }

    private static String year(int year) {
        return year >= 0 && year < 1000 ? String.format("%04d", year) : Integer.toString(year);
    }

    private static String two(int n) {
        return n < 10 && n >= 0 ? "0" + n : Integer.toString(n);
    }

    private static String spaced(int n) {
        return n < 10 ? " " + n : Integer.toString(n);
    }
}
