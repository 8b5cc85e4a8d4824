package io.starling.broker.config.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncludeDirOrderTest {

    @Test
    void manPageExample_loadsIn00_01_A_a_B_bOrder() {
        List<String> names = new ArrayList<>(List.of("b.conf", "A.conf", "01.conf", "a.conf", "B.conf", "00.conf"));
        names.sort(IncludeDir.MOSQUITTO_ORDER);
        assertThat(names).containsExactly("00.conf", "01.conf", "A.conf", "a.conf", "B.conf", "b.conf");
    }

    @Test
    void shorterName_sortsFirst_whenItIsAPrefix() {
        List<String> names = new ArrayList<>(List.of("ab.conf", "a.conf", "abc.conf"));
        names.sort(IncludeDir.MOSQUITTO_ORDER);
        assertThat(names).containsExactly("a.conf", "ab.conf", "abc.conf");
    }

    /** mosquitto's scmp_p decides at the first differing character, case included: "Ac" before "ab". */
    @Test
    void caseDecidesAtTheFirstCharacterThatDiffers_asInMosquitto() {
        List<String> names = new ArrayList<>(List.of("ab.conf", "Ac.conf", "AB.conf"));
        names.sort(IncludeDir.MOSQUITTO_ORDER);
        assertThat(names).containsExactly("AB.conf", "Ac.conf", "ab.conf");
    }
}
