package io.starling.broker.config.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLexerTest {
    @TempDir
    Path dir;

    private List<ConfigLine> lex(String text) throws Exception {
        Path file = dir.resolve("m.conf");
        Files.writeString(file, text);
        return ConfigLexer.read(file, null);
    }

    @Test
    void commentsAndBlankLines_areSkipped_butKeepTheLineNumbers() throws Exception {
        List<ConfigLine> lines = lex("# comment\n\n#listener 1\nlistener 1883\n   \n");
        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l.number()).isEqualTo(4);
            assertThat(l.key()).isEqualTo("listener");
            assertThat(l.value()).isEqualTo("1883");
        });
    }

    @Test
    void crlfLineEnds_andTrailingWhitespace_areTrimmed() throws Exception {
        List<ConfigLine> lines = lex("listener 1883 \t\r\npassword_file /etc/my file  \r\n");
        assertThat(lines).extracting(ConfigLine::value).containsExactly("1883", "/etc/my file");
    }

    @Test
    void leadingSpaces_andSpacesBetweenKeyAndValue_areSkipped() throws Exception {
        assertThat(lex("   listener    1883\n")).singleElement()
                .satisfies(l -> assertThat(l.key() + "|" + l.value()).isEqualTo("listener|1883"));
    }

    @Test
    void hashAfterLeadingSpaces_isNoComment_asInMosquitto() throws Exception {
        assertThat(lex("  # not a comment\n")).singleElement().satisfies(l -> assertThat(l.key()).isEqualTo("#"));
    }

    @Test
    void tab_isNoSeparator_asInMosquitto() throws Exception {
        assertThat(lex("listener\t1883\n")).singleElement().satisfies(l -> {
            assertThat(l.key()).isEqualTo("listener\t1883");
            assertThat(l.value()).isEmpty();
        });
    }

    @Test
    void keyWithoutValue_hasAnEmptyValue() throws Exception {
        assertThat(lex("listener\n")).singleElement().satisfies(l -> assertThat(l.value()).isEmpty());
    }

    @Test
    void lastLineWithoutNewline_isRead() throws Exception {
        assertThat(lex("listener 1\nlistener 2")).extracting(ConfigLine::number).containsExactly(1, 2);
    }

    @Test
    void words_areSeparatedBySpaces() throws Exception {
        ConfigLine line = lex("topic a/#   both 2 local/ remote/\n").get(0);
        assertThat(line.words()).containsExactly("a/#", "both", "2", "local/", "remote/");
    }
}
