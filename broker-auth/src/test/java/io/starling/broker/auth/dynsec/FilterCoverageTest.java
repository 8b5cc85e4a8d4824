package io.starling.broker.auth.dynsec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requested filters a (un)subscribePattern ACL covers: the cases mosquitto's plugin tests for its check. */
class FilterCoverageTest {

    @ParameterizedTest(name = "ACL {0} covers {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "foo/+/bar      | foo/#           | false",
            "foo/+/baz/#    | foo/baz/baz     | true",
            "foo/+/baz/#    | foo/baz/baz/+   | true",
            "foo/+/baz/#    | foo/baz/baz/#   | true",
            "foo/+/baz/#    | foo/baz/+/#     | false",
            "/+//#          | /foo///#        | true",
            "#              | #               | true",
            "#              | +               | true",
            "#              | $SYS/#          | true",
            "/#             | +               | false",
            "/#             | /+              | true",
            "/+             | #               | false",
            "/+             | +               | false",
            "+/+            | topic/topic     | true",
            "+/+            | topic/topic/    | false",
            "+              | #               | false",
            "+              | +               | true",
            "a/b/c/d/e      | a/b/c/d/e       | true",
            "a/b/ /d/e      | a/b/c/d/e       | false",
            "t/#            | t               | true",
    })
    void patternAcl_coversTheFiltersMosquittosCheckCovers(String acl, String requested, boolean covers) {
        assertThat(FilterCoverage.covers(acl, requested)).isEqualTo(covers);
    }
}
