package io.starling.broker.server.differential;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import java.nio.file.Path;

/** Starling in this JVM, started from the conf mosquitto reads, as {@code bin/starling -c conf} starts it. */
final class StarlingInProcess implements BrokerUnderTest {
    private final Path conf;
    private Broker broker;

    private StarlingInProcess(Path conf) {
        this.conf = conf;
    }

    static StarlingInProcess start(Path conf) throws Exception {
        StarlingInProcess s = new StarlingInProcess(conf);
        s.broker = Broker.start(ConfigFile.read(conf));
        return s;
    }

    @Override
    public String name() {
        return "starling";
    }

    @Override
    public void sighup() {
        broker.reload(conf); // what bin/starling -c conf does on SIGHUP
    }

    @Override
    public void restart() throws Exception {
        broker.close();
        broker = Broker.start(ConfigFile.read(conf));
    }

    @Override
    public void close() {
        broker.close();
    }
}
