package io.starling.broker.cluster;

import io.starling.broker.testkit.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.raft.ELECTION2;
import org.jgroups.protocols.raft.InMemoryLog;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.REDIRECT;

/**
 * A JGroups stack with Raft on it for tests, until membership's {@code ClusterChannel} builds the
 * production one: TCP on 127.0.0.1, static discovery of every listed port, short failure detection,
 * and RAFT with an in-memory log (a test member's state lives only as long as its channel).
 */
public final class RaftTestStack {
    /** RAFT's own default: a snapshot, and the log truncated, after each 1 MB of log entries. */
    public static final long DEFAULT_MAX_LOG_SIZE = 1_000_000;

    private final List<String> members;
    private final List<Integer> ports;
    private final long maxLogSize;

    private RaftTestStack(List<String> members, List<Integer> ports, long maxLogSize) {
        this.members = members;
        this.ports = ports;
        this.maxLogSize = maxLogSize;
    }

    /** {@code raftMembers} are the Raft voters; {@code extra} more ports for members that join later. */
    public static RaftTestStack of(List<String> raftMembers, int extra) throws IOException {
        return of(raftMembers, extra, DEFAULT_MAX_LOG_SIZE);
    }

    /** As {@link #of(List, int)}, compacting the log after each {@code maxLogSize} bytes of entries. */
    public static RaftTestStack of(List<String> raftMembers, int extra, long maxLogSize) throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < raftMembers.size() + extra; i++) {
            ports.add(FreePorts.freePort());
        }
        return new RaftTestStack(List.copyOf(raftMembers), ports, maxLogSize);
    }

    /** A channel for member number {@code index} (its port), named {@code name}, not yet connected. */
    public JChannel channel(int index, String name) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<InetSocketAddress> hosts = new ArrayList<>();
        for (int port : ports) {
            hosts.add(new InetSocketAddress(loopback, port));
        }
        RAFT raft = new RAFT().members(members).raftId(name).logClass(InMemoryLog.class.getName())
                .logPrefix("test-" + name + "-" + ports.get(index)).maxLogSize(maxLogSize);
        TCP tcp = new TCP();
        tcp.setBindAddress(loopback);
        tcp.setBindPort(ports.get(index));
        tcp.setPortRange(0);
        return new JChannel(
                tcp,
                new TCPPING().initialHosts(hosts).portRange(0),
                new MERGE3().setMinInterval(1000).setMaxInterval(3000),
                new FD_ALL3().setTimeout(6000).setInterval(1000),
                new VERIFY_SUSPECT().setTimeout(1000),
                new NAKACK2().useMcastXmit(false),
                new UNICAST3(),
                new STABLE(),
                new GMS().setJoinTimeout(2000).printLocalAddress(false),
                new FRAG4(),
                new ELECTION2(),
                raft,
                new REDIRECT())
                .name(name);
    }

    public List<String> members() {
        return members;
    }
}
