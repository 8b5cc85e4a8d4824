package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The broker-wide options no other group claims: sessions, retained messages, $SYS, the process. */
final class GeneralOptions implements OptionGroup {
    private static final Pattern EXPIRATION = Pattern.compile("([0-9]{1,9})([hdwmy])");

    private final Repeats repeats = new Repeats();
    // Read by ConfigReader#build, which puts them straight into BrokerConfig.
    Duration persistentClientExpiration;
    boolean retainAvailable = true;
    boolean upgradeOutgoingQos;
    boolean checkRetainSource;
    boolean setTcpNodelay;
    int sysInterval = 10;
    String clientidPrefixes;
    Path pidFile;
    String user = "mosquitto";

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        switch (line.key()) {
            case "persistent_client_expiration" -> persistentClientExpiration = expiration(scalar(line, context));
            case "retain_available" -> retainAvailable = scalar(line, context).bool();
            case "upgrade_outgoing_qos" -> upgradeOutgoingQos = scalar(line, context).bool();
            case "check_retain_source" -> {
                context.noteSecurityOption(line); // a security option in mosquitto: same ordering rules
                checkRetainSource = scalar(line, context).bool();
            }
            case "set_tcp_nodelay" -> setTcpNodelay = scalar(line, context).bool();
            case "sys_interval" -> sysInterval = scalar(line, context).integer(0, 65535);
            case "clientid_prefixes" -> clientidPrefixes = once(line).text();
            case "pid_file" -> pidFile = once(line).path();
            case "user" -> user = once(line).text();
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code <n><unit>}, n > 0, with mosquitto's units: h hour, d day, w week, m month (30 days),
     * y year (365 days). There is no unit for seconds or minutes.
     */
    private static Duration expiration(ConfigLine line) throws ConfigException {
        Matcher m = EXPIRATION.matcher(line.word());
        long n = m.matches() ? Long.parseLong(m.group(1)) : 0;
        if (n <= 0) {
            throw line.error("Invalid persistent_client_expiration duration in configuration.");
        }
        long hours = switch (m.group(2)) {
            case "h" -> 1;
            case "d" -> 24;
            case "w" -> 24 * 7;
            case "m" -> 24 * 30;
            default -> 24 * 365;
        };
        return Duration.ofHours(n * hours);
    }

    private ConfigLine scalar(ConfigLine line, ReadContext context) {
        repeats.lastWins(line, line.key(), context);
        context.warnExtraWords(line, 1);
        return line;
    }

    private ConfigLine once(ConfigLine line) throws ConfigException {
        repeats.refuse(line, line.key());
        return line;
    }
}
