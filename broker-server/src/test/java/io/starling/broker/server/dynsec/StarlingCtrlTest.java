package io.starling.broker.server.dynsec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.server.Broker;
import io.starling.mqtt.tools.CtrlCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code starling ctrl} against Debian's {@code mosquitto_ctrl} 2.0.11, one command line at a time: each
 * administers its own Starling broker (both started from a file {@code dynsec init} wrote), and for every
 * command line, password prompts, options file and error included, the two print the same on standard
 * output and standard error and exit with the same status. Where mosquitto_ctrl names itself, starling
 * ctrl says {@code starling ctrl}: the comparison reads one for the other.
 */
class StarlingCtrlTest {
    private static final Path CTRL = Path.of("/usr/bin/mosquitto_ctrl");

    @TempDir
    Path dir;

    /** What starling ctrl printed on standard output, by command line (the first run of each). */
    private final Map<String, String> printed = new HashMap<>();

    private record Ran(int exit, String out, String err) {
    }

    /** One command line: {@code {PORT}} is the side's broker port, {@code {DIR}} the test's directory. */
    private record Case(String stdin, String... args) {
        static Case of(String... args) {
            return new Case(null, args);
        }
    }

    private static final List<Case> CONNECTED = List.of(
            Case.of("dynsec", "listClients"),
            Case.of("dynsec", "createClient", "alice", "-c", "alice-id", "-p", "apw"),
            Case.of("dynsec", "createClient", "alice", "-p", "again"),
            Case.of("dynsec", "createClient", "x", "-z", "v", "-p", "pw"),
            Case.of("dynsec", "createClient", "bob", "-c"),
            new Case("pw3\npw3\n", "dynsec", "createClient", "carl"),
            new Case("aaa\nbbb\n", "dynsec", "createClient", "dora"),
            new Case("", "dynsec", "createClient", "emil"),
            new Case("pw6\n", "dynsec", "createClient", "fred"),
            Case.of("dynsec", "createRole", "r1"),
            Case.of("dynsec", "createRole", "r2"),
            Case.of("dynsec", "addRoleACL", "r1", "publishClientSend", "pub/send/#", "allow"),
            Case.of("dynsec", "addRoleACL", "r1", "publishClientReceive", "pub/recv/+", "deny", "5"),
            Case.of("dynsec", "addRoleACL", "r1", "subscribeLiteral", "sub/lit", "allow", "10"),
            Case.of("dynsec", "addRoleACL", "r1", "subscribePattern", "sub/pat/#", "deny", "-3"),
            Case.of("dynsec", "addRoleACL", "r1", "publishClientSend", "a/very/long/topic/name/that/exceeds/twenty", "deny", "7"),
            Case.of("dynsec", "addRoleACL", "r1", "publishClientSend", "pub/send/#", "allow"),
            Case.of("dynsec", "addRoleACL", "r1", "publishClientSend", "x", "maybe"),
            Case.of("dynsec", "addRoleACL", "r1", "fooType", "x", "allow"),
            Case.of("dynsec", "addRoleACL", "r2", "subscribeLiteral", "nn/prio", "allow", "abc"),
            Case.of("dynsec", "addRoleACL", "norole", "publishClientSend", "x", "allow"),
            Case.of("dynsec", "addRoleACL", "r2", "subscribePattern", "r2/#", "allow", "1", "extra"),
            Case.of("dynsec", "getRole", "r1"),
            Case.of("dynsec", "getRole", "r2"),
            Case.of("dynsec", "getRole", "norole"),
            Case.of("dynsec", "addClientRole", "alice", "r2", "10"),
            Case.of("dynsec", "addClientRole", "alice", "r1"),
            Case.of("dynsec", "addClientRole", "alice", "r1"),
            Case.of("dynsec", "addClientRole", "nobody", "r1"),
            Case.of("dynsec", "createGroup", "g1"),
            Case.of("dynsec", "createGroup", "g2"),
            Case.of("dynsec", "createGroup", "g1"),
            Case.of("dynsec", "addGroupRole", "g1", "r1", "3"),
            Case.of("dynsec", "addGroupRole", "g1", "r2"),
            Case.of("dynsec", "addGroupRole", "nogroup", "r1"),
            Case.of("dynsec", "addGroupClient", "g1", "alice", "7"),
            Case.of("dynsec", "addGroupClient", "g2", "alice"),
            Case.of("dynsec", "addGroupClient", "g1", "carl"),
            Case.of("dynsec", "addGroupClient", "g1", "nobody"),
            Case.of("dynsec", "getClient", "alice"),
            Case.of("dynsec", "getClient", "carl"),
            Case.of("dynsec", "getClient", "nobody"),
            Case.of("dynsec", "getGroup", "g1"),
            Case.of("dynsec", "getGroup", "g2"),
            Case.of("dynsec", "getGroup", "nogroup"),
            Case.of("dynsec", "listClients"),
            Case.of("dynsec", "listClients", "2"),
            Case.of("dynsec", "listClients", "2", "1"),
            Case.of("dynsec", "listClients", "0"),
            Case.of("dynsec", "listClients", "5", "100"),
            Case.of("dynsec", "listClients", "2", "1", "x"),
            Case.of("dynsec", "listGroups"),
            Case.of("dynsec", "listRoles", "1"),
            Case.of("dynsec", "disableClient", "carl"),
            Case.of("dynsec", "getClient", "carl"),
            Case.of("dynsec", "enableClient", "carl"),
            Case.of("dynsec", "setClientId", "alice", "newid"),
            Case.of("dynsec", "setClientId", "alice"),
            Case.of("dynsec", "setClientId", "nobody", "x"),
            Case.of("dynsec", "setClientPassword", "carl", "np"),
            new Case("a\nb\n", "dynsec", "setClientPassword", "carl"),
            new Case("\n\n", "dynsec", "setClientPassword", "carl"),
            new Case("np\nnp\n", "dynsec", "setClientPassword", "nobody"),
            Case.of("dynsec", "setAnonymousGroup", "g2"),
            Case.of("dynsec", "getAnonymousGroup"),
            Case.of("dynsec", "setAnonymousGroup", "nogroup"),
            Case.of("dynsec", "getDefaultACLAccess"),
            Case.of("dynsec", "setDefaultACLAccess", "publishClientSend", "maybe"),
            Case.of("dynsec", "setDefaultACLAccess", "fooType", "allow"),
            Case.of("dynsec", "removeRoleACL", "r1", "subscribeLiteral", "sub/lit"),
            Case.of("dynsec", "removeRoleACL", "r1", "subscribeLiteral", "sub/lit"),
            Case.of("dynsec", "removeRoleACL", "r1", "subscribeLiteral", "sub/lit", "allow"),
            Case.of("dynsec", "removeRoleACL", "r1", "fooType", "sub/lit"),
            Case.of("dynsec", "removeClientRole", "alice", "r1"),
            Case.of("dynsec", "removeClientRole", "alice", "norole"),
            Case.of("dynsec", "removeGroupRole", "g1", "r2"),
            Case.of("dynsec", "removeGroupClient", "g1", "carl"),
            Case.of("dynsec", "removeGroupClient", "nogroup", "carl"),
            Case.of("dynsec", "deleteClient", "x"),
            Case.of("dynsec", "deleteClient", "x"),
            Case.of("dynsec", "deleteRole", "r2"),
            Case.of("dynsec", "getClient", "alice"),
            Case.of("dynsec", "getGroup", "g1"),
            Case.of("dynsec", "modifyClient", "alice"),
            Case.of("dynsec", "foo"),
            Case.of("dynsec", "getClient"),
            Case.of("dynsec", "addRoleACL", "r1"));

    /** Lines run without the admin's connection options in front. */
    private static final List<Case> OTHERS = List.of(
            Case.of(),
            Case.of("--help"),
            Case.of("-h"),
            Case.of("foo"),
            Case.of("dynsec"),
            Case.of("dynsec", "help"),
            Case.of("dynsec", "foo"),
            Case.of("-p"),
            Case.of("-u"),
            Case.of("-V"),
            Case.of("-o"),
            Case.of("-h", "127.0.0.1", "-p", "{PORT}", "-V", "4", "dynsec", "listClients"),
            Case.of("-h", "127.0.0.1", "-p", "{PORT}", "-q", "3", "dynsec", "listClients"),
            Case.of("-h", "127.0.0.1", "-p", "70000", "dynsec", "listClients"),
            Case.of("-z", "dynsec", "listClients"),
            Case.of("-L", "mqtt://127.0.0.1:{PORT}", "dynsec", "listClients"),
            Case.of("-L", "http://127.0.0.1:{PORT}/x", "dynsec", "listClients"),
            Case.of("-L", "mqtt://admin:adminpw@127.0.0.1:{PORT}/x", "dynsec", "listRoles"),
            Case.of("-h", "127.0.0.1", "-p", "{PORT}", "-u", "admin", "-P", "wrong", "dynsec", "listClients"),
            Case.of("-h", "127.0.0.1", "-p", "{PORT}", "-u", "alice", "-P", "apw", "dynsec", "listClients"),
            Case.of("-h", "127.0.0.1", "-p", "{PORT}", "dynsec", "listClients"),
            new Case("adminpw\n", "-h", "127.0.0.1", "-p", "{PORT}", "-u", "admin", "dynsec", "listRoles"),
            new Case("", "-h", "127.0.0.1", "-p", "{PORT}", "-u", "admin", "dynsec", "listRoles"),
            Case.of("-h", "127.0.0.1", "-p", "{PORT}", "-u", "admin", "-P", "adminpw", "-V", "mqttv311", "dynsec", "listRoles"),
            Case.of("-h", "127.0.0.1", "-p", "{PORT}", "-u", "admin", "-P", "adminpw", "-i", "my-id", "-q", "0", "dynsec", "listRoles"),
            Case.of("-h", "127.0.0.1", "-p", "1", "-u", "admin", "-P", "adminpw", "dynsec", "listClients"),
            Case.of("dynsec", "init"),
            Case.of("dynsec", "init", "{DIR}/one.json"),
            Case.of("dynsec", "init", "{DIR}/new.json", "admin", "pw"),
            Case.of("dynsec", "init", "{DIR}/a.json", "admin", "pw", "extra"),
            Case.of("dynsec", "init", "{DIR}", "admin", "pw"),
            Case.of("dynsec", "init", "{DIR}/nodir/x.json", "admin", "pw"),
            new Case("", "dynsec", "init", "{DIR}/empty.json", "admin"),
            new Case("a\nb\n", "dynsec", "init", "{DIR}/mismatch.json", "admin"));

    private Path initFile(String name) throws Exception {
        Path file = dir.resolve(name);
        Process p = new ProcessBuilder(CTRL.toString(), "dynsec", "init", file.toString(), "admin", "adminpw").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return file;
    }

    private Broker starling(Path file) throws Exception {
        Path conf = Files.writeString(dir.resolve("starling-" + System.nanoTime() + ".conf"),
                "listener 1883 127.0.0.1\nallow_anonymous false\nplugin dynamic-security\nplugin_opt_config_file "
                        + file + "\n");
        return Broker.start(ConfigFile.read(conf).withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))));
    }

    private List<String> expand(Case c, int port, String side, boolean admin) throws Exception {
        List<String> out = new ArrayList<>();
        if (admin) {
            out.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(port), "-u", "admin", "-P", "adminpw"));
        }
        Path sideDir = Files.createDirectories(dir.resolve(side));
        for (String a : c.args()) {
            out.add(a.replace("{PORT}", Integer.toString(port)).replace("{DIR}", sideDir.toString()));
        }
        return out;
    }

    private Ran mosquittoCtrl(List<String> args, String stdin, Path home) throws Exception {
        List<String> command = new ArrayList<>(List.of(CTRL.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("XDG_CONFIG_HOME");
        Process p = pb.start();
        p.getOutputStream().write(stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("mosquitto_ctrl %s finished", args).isTrue();
        return new Ran(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Ran starlingCtrl(List<String> args, String stdin, Path home) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        CtrlCommand command = new CtrlCommand(new ByteArrayInputStream(stdin == null ? new byte[0]
                : stdin.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, null);
        int exit = new CommandLine(command).execute(args.toArray(String[]::new));
        return new Ran(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** mosquitto_ctrl's words, with the name starling ctrl gives itself. */
    private static Ran asStarling(Ran r) {
        return new Ran(r.exit(), rename(r.out()), rename(r.err()));
    }

    private static String rename(String s) {
        return s.replace("mosquitto_ctrl", "starling ctrl").replace("man/starling ctrl-1", "man/mosquitto_ctrl-1")
                .replace("starling ctrl version 2.0.11 running on libmosquitto 2.0.11.",
                        "starling ctrl version 0.1.0 (mosquitto_ctrl 2.0.11 compatible).");
    }

    @Test
    void everyCommandLine_printsAndExitsAsMosquittoCtrl() throws Exception {
        assumeTrue(Files.isExecutable(CTRL), "mosquitto_ctrl is not installed");
        Path homeA = Files.createDirectories(dir.resolve("home-a"));
        Path homeB = Files.createDirectories(dir.resolve("home-b"));
        List<String> differences = new ArrayList<>();
        int compared = 0;
        try (Broker a = starling(initFile("a.json")); Broker b = starling(initFile("b.json"))) {
            for (Case c : CONNECTED) {
                compared += compare(c, a.port(), b.port(), homeA, homeB, true, differences);
            }
            for (Case c : OTHERS) {
                compared += compare(c, a.port(), b.port(), homeA, homeB, false, differences);
            }
            // the options file: connection options one per line, a comment, a line that is not an option
            Files.createDirectories(homeA.resolve(".config"));
            Files.createDirectories(homeB.resolve(".config"));
            Files.writeString(homeA.resolve(".config/mosquitto_ctrl"), optionsFile(a.port()));
            Files.writeString(homeB.resolve(".config/mosquitto_ctrl"), optionsFile(b.port()));
            compared += compare(Case.of("dynsec", "listClients"), a.port(), b.port(), homeA, homeB, false, differences);
            Files.writeString(homeA.resolve(".config/mosquitto_ctrl"), "--foo bar\n");
            Files.writeString(homeB.resolve(".config/mosquitto_ctrl"), "--foo bar\n");
            compared += compare(Case.of("dynsec", "listClients"), a.port(), b.port(), homeA, homeB, false, differences);
        }
        assertThat(differences).isEmpty();
        assertThat(compared).isGreaterThan(120);
        assertThat(printed.get("dynsec getClient alice")).contains("Username: alice\nClientid: alice-id\n")
                .contains("r2 (priority: 10)");
        assertThat(printed.get("dynsec getRole r1")).contains("ACLs:     publishClientSend    : deny  : a/very/long");
        String theirs = Files.readString(dir.resolve("a").resolve("new.json"));
        String ours = Files.readString(dir.resolve("b").resolve("new.json"));
        assertThat(ours.replaceAll("\"(password|salt)\":\t\"[^\"]*\"", "-"))
                .isEqualTo(theirs.replaceAll("\"(password|salt)\":\t\"[^\"]*\"", "-"));
        assertThat(Files.exists(dir.resolve("b").resolve("mismatch.json"))).isFalse();
    }

    private static String optionsFile(int port) {
        return "# the admin's connection\n-h 127.0.0.1\n-p " + port + "\n\nnot an option\n-u admin\n-P adminpw\n";
    }

    private int compare(Case c, int portA, int portB, Path homeA, Path homeB, boolean admin, List<String> differences)
            throws Exception {
        Ran theirs = asStarling(mosquittoCtrl(expand(c, portA, "a", admin), c.stdin(), homeA));
        Ran ours = starlingCtrl(expand(c, portB, "b", admin), c.stdin(), homeB);
        printed.putIfAbsent(String.join(" ", c.args()), ours.out());
        String theirsText = theirs.toString().replace(Integer.toString(portA), "PORT").replace("/a/", "/X/").replace("/a\'", "/X\'");
        String oursText = ours.toString().replace(Integer.toString(portB), "PORT").replace("/b/", "/X/").replace("/b\'", "/X\'");
        if (!theirsText.equals(oursText)) {
            differences.add(String.join(" ", c.args()) + "\n  mosquitto_ctrl: " + theirsText + "\n  starling ctrl:  " + oursText);
        }
        return 1;
    }
}
