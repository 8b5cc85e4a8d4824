package io.starling.mqtt.tools;

/** {@code starling ctrl} stops with this exit status; what it had to say is printed already. */
final class CtrlExit extends Exception {
    final int status;

    CtrlExit(int status) {
        super(null, null, false, false);
        this.status = status;
    }
}
