package io.starling.broker.server.differential;

import io.starling.broker.server.differential.Scenario.Kind;
import io.starling.broker.server.differential.Scenario.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code .scenarios} file. Every packet is encoded while reading, so that a mistake in a
 * scenario is reported with its file and line before any broker runs.
 */
final class ScenarioFile {
    private static final Pattern STEP = Pattern.compile("([A-Za-z0-9_-]+)(?:@(mosquitto|starling))?:\\s*(\\w+)\\s*(.*)");
    private static final Pattern DIFFERS = Pattern.compile("\\s*differs=\"([^\"]+)\"\\s*$");
    private static final Pattern TIMEOUT = Pattern.compile("timeout=(\\d+)\\s*(.*)");
    private static final Pattern FILE_START = Pattern.compile("file\\s+([A-Za-z0-9_.-]+):\\s*");

    private final String name;
    private final String compatibility;
    private final List<Scenario> scenarios = new ArrayList<>();

    private String title;
    private int titleLine;
    private List<String> conf;
    private Map<String, String> files;
    private List<Step> steps;
    private Map<String, Integer> versions;
    private String fileName;
    private StringBuilder fileContent;
    private int fileLine;

    private ScenarioFile(String name, String compatibility) {
        this.name = name;
        this.compatibility = compatibility;
    }

    /**
     * The scenarios of one file.
     *
     * @param compatibility the text of docs/compatibility.md, where every {@code differs=} must occur
     */
    static List<Scenario> parse(String name, String text, String compatibility) {
        ScenarioFile f = new ScenarioFile(name, compatibility);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            try {
                f.line(i + 1, lines[i]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        f.endFile();
        f.endScenario();
        return f.scenarios;
    }

    private void line(int number, String raw) {
        if (fileContent != null) {
            if (raw.startsWith("  ")) {
                fileContent.append(raw.substring(2)).append('\n');
                return;
            }
            endFile();
        }
        String line = raw.strip().startsWith("#") ? "" : raw.replaceAll("\\s+#.*$", "").strip();
        if (line.isEmpty()) {
            return;
        }
        if (line.startsWith("scenario:")) {
            endScenario();
            title = line.substring("scenario:".length()).strip();
            titleLine = number;
            conf = new ArrayList<>();
            files = new LinkedHashMap<>();
            steps = new ArrayList<>();
            versions = new HashMap<>();
            return;
        }
        if (title == null) {
            throw new IllegalArgumentException("'scenario: <title>' must come first");
        }
        Matcher file = FILE_START.matcher(line);
        if (line.startsWith("conf:")) {
            conf.add(line.substring("conf:".length()).strip());
        } else if (file.matches()) {
            fileName = file.group(1);
            fileContent = new StringBuilder();
            fileLine = number;
        } else if (line.equals("sighup") || line.equals("restart")) {
            steps.add(new Step(number, line.equals("sighup") ? Kind.SIGHUP : Kind.RESTART, null, null, null, null,
                    false, 0, 0, null, null));
        } else if (line.equals("align")) {
            steps.add(new Step(number, Kind.ALIGN, null, null, null, null, false, 0, 0, null, null));
        } else if (line.startsWith("sleep ")) {
            steps.add(new Step(number, Kind.SLEEP, null, null, null, null, false,
                    Long.parseLong(line.substring(6).strip()), 0, null, null));
        } else {
            step(number, line);
        }
    }

    private void step(int number, String line) {
        Matcher m = STEP.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a step: '" + line + "'");
        }
        String connection = m.group(1);
        String broker = m.group(2);
        String verb = m.group(3);
        String rest = m.group(4);
        String differs = null;
        Matcher d = DIFFERS.matcher(rest);
        if (d.find()) {
            differs = d.group(1);
            rest = rest.substring(0, d.start());
        }
        if ((broker == null) != (differs == null)) {
            throw new IllegalArgumentException("a step for one broker needs differs=\"...\" and only such a step has it");
        }
        if (differs != null && !compatibility.contains(differs)) {
            throw new IllegalArgumentException("differs=\"" + differs + "\" is not in docs/compatibility.md");
        }
        int version = versions.getOrDefault(connection, 5);
        Step step = switch (verb) {
            case "send" -> {
                byte[] bytes = PacketText.encode(rest, version);
                if (rest.strip().toUpperCase().startsWith("CONNECT ") || rest.strip().equalsIgnoreCase("CONNECT")) {
                    Fields v = new Fields(PacketText.Token.split(rest).stream()
                            .filter(t -> t.key().equals("v")).toList());
                    version = (int) v.number("v", 5);
                    versions.put(connection, version);
                }
                yield new Step(number, Kind.SEND, connection, broker, differs, bytes, false, 0, version, null, null);
            }
            case "recv" -> {
                long timeout = 2000;
                Matcher t = TIMEOUT.matcher(rest);
                if (t.matches()) {
                    timeout = Long.parseLong(t.group(1));
                    rest = t.group(2);
                }
                byte[] expected = rest.isBlank() ? null : PacketText.encode(rest, version);
                yield new Step(number, Kind.RECV, connection, broker, differs, expected, false, timeout, version,
                        null, null);
            }
            case "closed" -> new Step(number, Kind.RECV, connection, broker, differs, null, true,
                    rest.isBlank() ? 3000 : Long.parseLong(rest.strip()), version, null, null);
            case "silent" -> new Step(number, Kind.SILENT, connection, broker, differs, null, false,
                    rest.isBlank() ? 500 : Long.parseLong(rest.strip()), version, null, null);
            case "open" -> new Step(number, Kind.OPEN, connection, broker, differs, null, false,
                    rest.isBlank() ? 1 : Long.parseLong(rest.strip()), version, null, null);
            case "close" -> new Step(number, Kind.CLOSE, connection, broker, differs, null, false, 0, version,
                    null, null);
            default -> throw new IllegalArgumentException("unknown step '" + verb + "'");
        };
        if (broker != null && step.kind() == Kind.RECV && step.bytes() == null && !step.closed()) {
            throw new IllegalArgumentException("a step for one broker must say what it expects");
        }
        steps.add(step);
    }

    private void endFile() {
        if (fileContent == null) {
            return;
        }
        if (steps.isEmpty()) {
            files.put(fileName, fileContent.toString());
        } else {
            steps.add(new Step(fileLine, Kind.FILE, null, null, null, null, false, 0, 0, fileName,
                    fileContent.toString()));
        }
        fileContent = null;
    }

    private void endScenario() {
        if (title != null) {
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("scenario '" + title + "' has no steps");
            }
            scenarios.add(new Scenario(name, titleLine, title, List.copyOf(conf), files, List.copyOf(steps)));
        }
    }
}
