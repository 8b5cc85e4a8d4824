package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.protocol.AdministrativeDisconnects;
import io.starling.broker.core.routing.Message;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mosquitto's dynamic security plugin, built in: users, groups and roles in {@code dynamic-security.json},
 * managed at run time through {@code $CONTROL/dynamic-security/v1} (the answers on {@code .../response}).
 *
 * <p>Threading: a request runs on the event loop of the client that sent it, one request at a time (this
 * object's lock guards {@link DynsecData}). After a request that changed something the file is saved
 * (written and flushed to disk before the answer goes out, as the plugin does: an admin request holds
 * its loop for that write) and new {@link AccessRules} are published through a volatile field, which the
 * broker's threads read for every check without the lock. The answer is published after the request's
 * PUBACK, as mosquitto sends them.
 *
 * <p>Clients whose access changed through themselves, their groups or the deletion of one of their roles
 * are disconnected without their wills (5.0: DISCONNECT 0x98), and anonymous clients when the anonymous
 * group or its roles change, as by the plugin; a change to a role's ACLs or to the default access applies
 * to connected clients at their next check, without a disconnect (measured with mosquitto 2.0.11).
 */
public final class DynamicSecurity implements AutoCloseable {
    public static final String CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
    public static final String RESPONSE_TOPIC = CONTROL_TOPIC + "/response";
    private static final Logger LOG = LoggerFactory.getLogger(DynamicSecurity.class);

    private final Path file;
    private final DynsecData data;
    private volatile AccessRules rules;
    private final Authorizer authorizer = new DynsecAuthorizer(() -> rules);
    /** Set once at {@link #attach}, before any client can connect; read on the event loops. */
    private volatile BrokerCore core;

    private DynamicSecurity(Path file, DynsecData data) {
        this.file = file;
        this.data = data;
        this.rules = AccessRules.of(data);
    }

    /**
     * Reads {@code file}. One that cannot be read or is not JSON is logged as mosquitto logs it, and the
     * plugin starts empty, as mosquitto's does: no client can log in through it and nothing is allowed but
     * the default access, until the file is mended and the broker restarted.
     */
    public static DynamicSecurity open(Path file) {
        DynsecData data;
        try {
            data = DynsecFile.read(file);
        } catch (DynsecFile.DynsecFileException e) {
            LOG.error("Error loading Dynamic security plugin config: {} ({})", e.getMessage(), file);
            data = new DynsecData();
        }
        return new DynamicSecurity(file, data);
    }

    /** The password check, with {@code allow_anonymous} for clients that give no user name. */
    public Authenticator authenticator(boolean allowAnonymous) {
        return new DynsecAuthenticator(() -> rules, allowAnonymous);
    }

    /** The ACL; it follows every change. */
    public Authorizer authorizer() {
        return authorizer;
    }

    /** Starts taking requests on the control topic of {@code core}. */
    public void attach(BrokerCore core) {
        this.core = core;
        core.controlTopics().register(CONTROL_TOPIC, this::request);
    }

    /** Runs a request now; its answer goes out after the PUBACK, as from mosquitto. */
    private Runnable request(ClientIdentity sender, byte[] payload) {
        try {
            String answer = answer(payload);
            return () -> publish(answer);
        } catch (RuntimeException e) {
            LOG.error("Dynamic security: request from {} failed: {}", sender.clientId(), e.toString(), e);
            return null;
        }
    }

    /** Runs a request: the commands, the save, the new rules, the disconnects; returns the answer. */
    private synchronized String answer(byte[] payload) {
        CommandContext ctx = new CommandContext(data);
        ObjectNode answer = Commands.run(ctx, payload);
        if (ctx.changed) {
            try {
                DynsecFile.write(file, data);
            } catch (IOException e) {
                LOG.error("Error saving Dynamic security plugin config: {}: {}", file, e.getMessage());
            }
            rules = AccessRules.of(data);
        }
        if (!ctx.kickUsernames.isEmpty() || ctx.kickAnonymous) {
            Set<String> usernames = Set.copyOf(ctx.kickUsernames);
            boolean anonymous = ctx.kickAnonymous;
            AdministrativeDisconnects.disconnect(core, identity -> identity.username() == null
                    ? anonymous : usernames.contains(identity.username()));
        }
        return CJsonWriter.compact(answer);
    }

    /** The answer goes to whoever may read the response topic, at QoS 0, not retained, as from the plugin. */
    private void publish(String answer) {
        Message m = new Message(RESPONSE_TOPIC, QoS.AT_MOST_ONCE, false,
                Unpooled.copiedBuffer(answer, StandardCharsets.UTF_8), Properties.EMPTY, "", Message.NEVER_EXPIRES);
        core.router().route(m);
        m.release();
    }

    @Override
    public void close() {
        if (core != null) {
            core.controlTopics().unregister(CONTROL_TOPIC);
        }
    }
}
