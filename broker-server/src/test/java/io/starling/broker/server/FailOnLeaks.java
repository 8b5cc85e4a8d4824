package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.server.integration.LeakReports;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails any test class of this module after which Netty's leak detector (paranoid, see the surefire
 * argLine) reports a leaked buffer. Registered for every class through JUnit's extension
 * auto-detection (META-INF/services and junit-platform.properties), so no test can forget it.
 */
public final class FailOnLeaks implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        assertThat(LeakReports.collect()).as("ByteBuf leaks reported after %s", context.getDisplayName()).isEmpty();
    }
}
