package io.starling.mqtt.tools;

import io.starling.broker.auth.dynsec.InitialFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code starling ctrl dynsec init FILE ADMIN [PASSWORD]}: writes, offline, the first
 * {@code dynamic-security.json} (an administrator allowed to use the API and read {@code $SYS}), the same
 * file as mosquitto_ctrl's, never over an existing one; with mosquitto_ctrl's messages and statuses.
 */
final class CtrlInit {
    private CtrlInit() {
    }

    static int run(List<String> a, CtrlPrompt prompt, PrintStream out, PrintStream err) throws IOException {
        if (a.size() < 2) {
            err.print("dynsec init: Not enough arguments - filename, or admin-user missing.\n" + CtrlTexts.INVALID_ARGUMENTS);
            return 3;
        }
        if (a.size() > 3) {
            err.print("dynsec init: Too many arguments.\n" + CtrlTexts.INVALID_ARGUMENTS);
            return 3;
        }
        String name = a.get(0);
        String admin = a.get(1);
        Path file = Path.of(name);
        if (Files.exists(file)) {
            err.print("dynsec init: '" + name + "' already exists. Remove the file or use a different location..\n");
            return 0;
        }
        String password = a.size() == 3 ? a.get(2) : prompt.newPassword(admin, err, true);
        if (password == null) {
            return 0;
        }
        String text = InitialFile.text(admin, password.getBytes(StandardCharsets.UTF_8));
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            err.print("dynsec init: Unable to open '" + name + "' for writing.\n");
            return 0;
        }
        out.print(CtrlTexts.initDone(admin, name));
        return 0;
    }
}
