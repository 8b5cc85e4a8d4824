package io.starling.broker.server.differential;

import io.starling.broker.server.differential.Scenario.Step;
import io.starling.broker.server.differential.ScenarioConnection.Arrival;
import io.starling.broker.server.differential.ScenarioConnection.PacketArrival;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs one scenario against one broker and records what each connection received. */
final class ScenarioRun {
    /** Starts a broker from a conf file. */
    @FunctionalInterface
    interface Launcher {
        BrokerUnderTest start(Path conf) throws Exception;
    }

    private final Scenario scenario;
    private final Path dir;
    private final Map<String, ScenarioConnection> connections = new HashMap<>();
    private final List<Integer> ports = new ArrayList<>();

    private ScenarioRun(Scenario scenario, Path dir) {
        this.scenario = scenario;
        this.dir = dir;
    }

    static Transcript run(Scenario scenario, Path dir, String brokerName, Launcher launcher) throws Exception {
        Files.createDirectories(dir);
        ScenarioRun run = new ScenarioRun(scenario, dir);
        Path conf = run.writeConf();
        try (BrokerUnderTest broker = launcher.start(conf)) {
            return run.steps(broker, brokerName);
        } finally {
            run.connections.values().forEach(ScenarioConnection::close);
        }
    }

    private Path writeConf() throws IOException {
        for (Map.Entry<String, String> f : scenario.files().entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), expandLines(f.getValue()), StandardCharsets.UTF_8);
        }
        List<String> lines = new ArrayList<>();
        if (scenario.conf().stream().noneMatch(l -> l.startsWith("listener "))) {
            lines.add("listener ${port} 127.0.0.1");
        }
        lines.addAll(scenario.conf());
        if ("root".equals(System.getProperty("user.name"))) {
            lines.add("user root"); // else mosquitto drops to the user "mosquitto", who cannot read the test's files
        }
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(expand(line)).append('\n');
        }
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, text.toString(), StandardCharsets.UTF_8);
        return conf;
    }

    private String expandLines(String text) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            out.append(out.length() > 0 ? "\n" : "").append(expand(line));
        }
        return out.toString();
    }

    /** {@code ${port}}, {@code ${port2}}..., {@code ${dir}} and {@code ${<file>}} replaced. */
    private String expand(String line) throws IOException {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int start = line.indexOf("${", i);
            if (start < 0) {
                return out.append(line.substring(i)).toString();
            }
            int end = line.indexOf('}', start);
            String name = line.substring(start + 2, end);
            out.append(line, i, start).append(value(name));
            i = end + 1;
        }
    }

    private String value(String name) throws IOException {
        if (name.equals("dir")) {
            return dir.toString();
        }
        if (name.startsWith("port")) {
            return Integer.toString(port(name.equals("port") ? 1 : Integer.parseInt(name.substring(4))));
        }
        if (scenario.files().containsKey(name)) {
            return dir.resolve(name).toString();
        }
        throw new IllegalArgumentException(scenario + ": unknown ${" + name + "}");
    }

    private int port(int number) throws IOException {
        while (ports.size() < number) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports.add(s.getLocalPort());
            }
        }
        return ports.get(number - 1);
    }

    private Transcript steps(BrokerUnderTest broker, String brokerName) throws Exception {
        Transcript transcript = new Transcript(brokerName);
        for (Step step : scenario.steps()) {
            if (!step.runsOn(brokerName)) {
                continue;
            }
            switch (step.kind()) {
                case OPEN -> open(step.connection(), (int) step.millis());
                case CLOSE -> {
                    ScenarioConnection c = connections.remove(step.connection());
                    if (c != null) {
                        c.close();
                    }
                }
                case SEND -> connection(step.connection()).send(step.bytes());
                case RECV, SILENT -> record(step, connection(step.connection()).next(step.millis()), transcript);
                case SLEEP -> Thread.sleep(step.millis());
                case ALIGN -> Thread.sleep(1100 - System.currentTimeMillis() % 1000); // 100 ms into the next second
                case SIGHUP -> broker.sighup();
                case RESTART -> broker.restart();
                case FILE -> Files.writeString(dir.resolve(step.name()), expandLines(step.content()),
                        StandardCharsets.UTF_8);
            }
        }
        return transcript;
    }

    private void record(Step step, Arrival arrival, Transcript transcript) {
        byte[] bytes = arrival instanceof PacketArrival p ? Transcript.mask(p.bytes()) : null;
        String text = arrival instanceof PacketArrival p ? PacketText.decode(p.bytes(), step.version())
                : arrival instanceof ScenarioConnection.Closed ? Transcript.CLOSED : Transcript.NOTHING;
        Transcript.Event event = new Transcript.Event(step.line(), step.connection(), text, bytes);
        if (step.broker() == null) {
            transcript.events.add(event);
        }
        String unmet = unmet(step, event);
        if (unmet != null) {
            transcript.unmet.add(step.where() + ": expected " + unmet + ", " + transcript.broker + " sent " + text);
        }
    }

    /** What the step expected, when the event is not that; else null. */
    private static String unmet(Step step, Transcript.Event event) {
        if (step.kind() == Scenario.Kind.SILENT) {
            return event.text().equals(Transcript.NOTHING) ? null : "nothing";
        }
        if (step.closed()) {
            return event.text().equals(Transcript.CLOSED) ? null : Transcript.CLOSED;
        }
        if (step.bytes() != null && !Arrays.equals(Transcript.mask(step.bytes()), event.bytes())) {
            return PacketText.decode(step.bytes(), step.version());
        }
        return null;
    }

    private void open(String name, int listener) throws IOException {
        ScenarioConnection old = connections.put(name, new ScenarioConnection(port(listener)));
        if (old != null) {
            old.close();
        }
    }

    private ScenarioConnection connection(String name) throws IOException {
        if (!connections.containsKey(name)) {
            open(name, 1);
        }
        return connections.get(name);
    }
}
