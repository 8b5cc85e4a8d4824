package io.starling.broker.core.protocol;

import io.starling.broker.core.auth.EnhancedAuthenticator;
import io.starling.mqtt.codec.Auth;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.ReasonCode;

/**
 * MQTT 5 enhanced authentication (§4.12): the exchange of AUTH packets between a CONNECT naming an
 * Authentication Method and its CONNACK, and re-authentication (AUTH 0x19) on a live connection.
 * The method itself is an {@link EnhancedAuthenticator}.
 */
final class EnhancedAuth {
    private EnhancedAuth() {
    }

    /** A CONNECT named a method: refuse it (0x8C) if unknown, else take the first step. */
    static void start(Client client, Connect connect) {
        String method = connect.properties().text(PropertyId.AUTHENTICATION_METHOD);
        EnhancedAuthenticator authenticator = client.core.enhancedAuthenticator(method);
        if (authenticator == null) {
            ConnectHandler.refuse(client, ReasonCode.BAD_AUTHENTICATION_METHOD,
                    "unsupported authentication method '" + method + "'");
            return;
        }
        client.auth = new AuthState(method);
        client.auth.exchange = authenticator.begin(client.clientId, connect.username());
        client.auth.pendingConnect = connect;
        client.state = Client.State.AUTHENTICATING;
        step(client, connect.properties().binary(PropertyId.AUTHENTICATION_DATA));
    }

    /** An AUTH from the client, while connecting or (re-authentication) once connected. */
    static void onAuth(Client client, Auth auth) {
        ProtocolLog.received(client.clientId, "AUTH");
        String method = auth.properties().text(PropertyId.AUTHENTICATION_METHOD);
        if (client.auth == null) {
            Disconnects.silently(client, "AUTH without enhanced authentication"); // as mosquitto: nothing sent
            return;
        }
        if (!client.auth.method.equals(method)) {
            Disconnects.disconnect(client, ReasonCode.PROTOCOL_ERROR, "AUTH with method '" + method
                    + "', not the connection's"); // MQTT-4.12.0-5
            return;
        }
        if (client.state == Client.State.CONNECTED) {
            if (auth.reasonCode() != ReasonCode.RE_AUTHENTICATE && client.auth.exchange == null) {
                Disconnects.disconnect(client, ReasonCode.PROTOCOL_ERROR, "AUTH continuing no exchange");
                return;
            }
            if (auth.reasonCode() == ReasonCode.RE_AUTHENTICATE) {
                client.auth.exchange = client.core.enhancedAuthenticator(method).begin(client.clientId, null);
            }
        } else if (auth.reasonCode() != ReasonCode.CONTINUE_AUTHENTICATION) {
            Disconnects.disconnect(client, ReasonCode.PROTOCOL_ERROR, "AUTH reason " + auth.reasonCode() + " during CONNECT");
            return;
        }
        step(client, auth.properties().binary(PropertyId.AUTHENTICATION_DATA));
    }

    private static void step(Client client, byte[] clientData) {
        EnhancedAuthenticator.Step step = client.auth.exchange.respond(clientData);
        if (step instanceof EnhancedAuthenticator.Continue c) {
            sendAuth(client, ReasonCode.CONTINUE_AUTHENTICATION, c.serverData());
        } else if (step instanceof EnhancedAuthenticator.Success s) {
            client.auth.exchange = null;
            if (client.state == Client.State.AUTHENTICATING) {
                client.auth.successData = s.serverData();
                Connect connect = client.auth.pendingConnect;
                client.auth.pendingConnect = null;
                ConnectHandler.proceed(client, connect);
            } else {
                sendAuth(client, ReasonCode.SUCCESS, s.serverData()); // re-authentication done
            }
        } else {
            EnhancedAuthenticator.Failure f = (EnhancedAuthenticator.Failure) step;
            client.auth.exchange = null;
            if (client.state == Client.State.AUTHENTICATING) {
                ConnectHandler.refuse(client, ReasonCode.NOT_AUTHORIZED, "authentication failed: " + f.reason());
            } else {
                Disconnects.disconnect(client, ReasonCode.NOT_AUTHORIZED, "re-authentication failed: " + f.reason());
            }
        }
    }

    private static void sendAuth(Client client, int reasonCode, byte[] data) {
        Properties.Builder b = Properties.builder().text(PropertyId.AUTHENTICATION_METHOD, client.auth.method);
        if (data != null) {
            b.binary(PropertyId.AUTHENTICATION_DATA, data);
        }
        ProtocolLog.sending(client.clientId, "AUTH");
        client.write(new Auth(reasonCode, b.build()));
    }
}
