package io.starling.broker.auth.dynsec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dynamic-security.json} read as mosquitto writes it, and written so that it reads back the same. */
class DynsecFileTest {
    @TempDir
    Path dir;

    @Test
    void theFileMosquittoCtrlInitWrites_isRead_andItsAdminPasswordChecks() throws Exception {
        DynsecData data = MosquittoTranscriptTest.initialData();

        DynsecClient admin = data.clients.get("admin");
        assertThat(admin.textName).isEqualTo("Dynsec admin user"); // written as "textName": keys match in any case
        assertThat(admin.password.iterations()).isEqualTo(101);
        assertThat(admin.password.matches("adminpw".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(admin.password.matches("wrong".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(admin.roles).extracting(l -> l.role().name).containsExactly("admin");
        assertThat(data.roles.get("admin").allAcls()).hasSize(8);
    }

    @Test
    void aWrittenFile_readsBackTheSame_throughANewFileRenamedOverTheOld_keepingItsPermissions() throws Exception {
        Path file = dir.resolve("dynamic-security.json");
        Files.writeString(file, "{}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        DynsecData data = MosquittoTranscriptTest.initialData();
        DynsecGroup group = new DynsecGroup("g");
        group.textName = "a group";
        group.addRole(data.roles.get("admin"), 3);
        data.groups.put("g", group);
        data.anonymousGroup = group;
        data.clients.get("admin").addGroup(group, 7);
        data.clients.get("admin").disabled = true;

        DynsecFile.write(file, data);

        String written = Files.readString(file);
        assertThat(written).isEqualTo(CJsonWriter.formatted(DynsecFile.toJson(DynsecFile.read(file))));
        DynsecData back = DynsecFile.read(file);
        assertThat(back.anonymousGroup.name).isEqualTo("g");
        assertThat(back.clients.get("admin").groups).singleElement()
                .satisfies(l -> assertThat(l.priority()).isEqualTo(7));
        assertThat(back.clients.get("admin").disabled).isTrue();
        assertThat(Files.exists(dir.resolve("dynamic-security.json.new"))).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    }

    @Test
    void theInitialFile_isMosquittoCtrlsByteForByte_butForTheSaltedHash_andItsPasswordChecks() throws Exception {
        String ours = InitialFile.text("admin", "adminpw".getBytes(StandardCharsets.UTF_8));
        String theirs = new String(MosquittoTranscriptTest.class.getResourceAsStream("/dynsec/init-file.json")
                .readAllBytes(), StandardCharsets.UTF_8);

        assertThat(masked(ours)).isEqualTo(masked(theirs));
        Path file = Files.writeString(dir.resolve("init.json"), ours);
        assertThat(DynsecFile.read(file).clients.get("admin").password
                .matches("adminpw".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    private static String masked(String file) {
        return file.replaceAll("\"(password|salt)\":\t\"[^\"]*\"", "\"$1\":\t\"-\"");
    }

    @Test
    void aFileThatIsMissingOrNotJson_isRefusedInThePluginsWords() throws Exception {
        Path missing = dir.resolve("none.json");
        Path notJson = Files.writeString(dir.resolve("bad.json"), "not json");

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> DynsecFile.read(missing)))
                .hasMessage("File is not readable - check permissions.");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> DynsecFile.read(notJson)))
                .hasMessage("File is not valid JSON.");
    }
}
