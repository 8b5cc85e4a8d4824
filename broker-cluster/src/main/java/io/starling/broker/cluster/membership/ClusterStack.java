package io.starling.broker.cluster.membership;

import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.raft.ELECTION2;
import org.jgroups.protocols.raft.InMemoryLog;
import org.jgroups.protocols.raft.NO_DUPES;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.REDIRECT;
import org.jgroups.stack.Protocol;
import org.jgroups.util.TLS;
import org.jgroups.util.TLSClientAuth;

/**
 * The JGroups protocol stack of a node, bottom to top, built in code from {@link ClusterSettings} (no
 * XML, so what the options mean is in one place). It is jgroups-raft's {@code raft.xml} over TCP with
 * static discovery:
 * <ul>
 *   <li>TCP on {@code cluster_bind}, with mutual TLS when {@code cluster_tls_*} are set ({@link MemberTls});
 *       TCPPING to the {@code cluster_peer} addresses (no port ranges: the
 *       addresses are exact); MERGE3 finds partitions to merge, every {@code cluster_merge_interval} at most.</li>
 *   <li>Failure detection: FD_SOCK2 (a closed TCP connection, e.g. a killed process, is suspected at
 *       once) and FD_ALL3 (heartbeats every {@code cluster_heartbeat_interval}; silent for
 *       {@code cluster_failure_timeout}: suspected), then VERIFY_SUSPECT2 gives the suspect
 *       {@code cluster_suspect_timeout} to answer. {@link SuspectLog} above it logs what is confirmed.</li>
 *   <li>NAKACK2, UNICAST3, STABLE: reliable FIFO multicast and unicast (the route table rides on them).</li>
 *   <li>NO_DUPES refuses a second member with a name already in the view (two nodes with one
 *       {@code cluster_node_id} would break Raft; a node restarted right after a crash joins again until
 *       its previous run is dropped, see {@link ClusterChannel#connect()}); GMS; UFC/MFC flow control; FRAG4.</li>
 *   <li>jgroups-raft: ELECTION2 (with pre-vote, so a member coming back from a partition does not
 *       depose a working leader), RAFT with {@code cluster_raft_members} and this node's id, REDIRECT
 *       (a follower's writes go to the leader).</li>
 * </ul>
 */
final class ClusterStack {
    private ClusterStack() {
    }

    /**
     * @param raftLogDir the directory of the Raft log ({@code <nodeId>.raft} files in it), or null for a log in
     *                   memory (a node restarted without persistence comes back as an empty member). jgroups-raft
     *                   keeps in-memory logs in one map per JVM, by name: each stack's name is its own, so that a
     *                   node started again in the same JVM (tests, an embedded broker) starts empty as a new
     *                   process would, instead of with the log of an earlier node of that id (and another
     *                   cluster's entries). {@link ClusterChannel#close} deletes it.
     */
    static List<Protocol> protocols(ClusterSettings s, Path raftLogDir) throws IOException {
        InetAddress bindAddress = InetAddress.getByName(s.bind().host());
        TCP tcp = new TCP();
        tcp.setBindAddress(bindAddress);
        tcp.setBindPort(s.bind().port());
        tcp.setPortRange(0);
        if (s.tls() != null) {
            tcp.tls(new TLS().enabled(true).setSSLContext(MemberTls.context(s.tls())).setClientAuth(TLSClientAuth.NEED));
        }
        List<InetSocketAddress> initial = new ArrayList<>();
        for (HostPort peer : s.peers()) {
            initial.add(new InetSocketAddress(peer.host(), peer.port()));
        }
        TCPPING ping = new TCPPING();
        ping.setInitialHosts(initial);
        ping.setPortRange(0);
        long merge = s.mergeInterval().toMillis();
        MERGE3 merge3 = new MERGE3().setMinInterval(Math.max(1, merge / 3)).setMaxInterval(Math.max(2, merge));
        FD_SOCK2 fdSock = new FD_SOCK2().setBindAddress(bindAddress)
                .setOffset(ClusterSettings.FAILURE_DETECTION_PORT_OFFSET).setPortRange(ClusterSettings.FAILURE_DETECTION_PORTS);
        FD_ALL3 fdAll = new FD_ALL3();
        fdAll.setInterval(s.heartbeatInterval().toMillis());
        fdAll.setTimeout(s.failureTimeout().toMillis());
        VERIFY_SUSPECT2 verify = new VERIFY_SUSPECT2().setTimeout(s.suspectTimeout().toMillis());
        GMS gms = new GMS().printLocalAddress(false);
        RAFT raft = new RAFT().raftId(s.nodeId()).members(s.raftMembers());
        if (raftLogDir == null) {
            raft.logClass(InMemoryLog.class.getName()).logPrefix("starling-" + s.nodeId() + "-" + UUID.randomUUID());
        } else {
            raft.logDir(raftLogDir.toString()).logPrefix(s.nodeId() + ".raft");
        }
        return List.of(tcp, ping, merge3, fdSock, fdAll, verify, new SuspectLog(), new NAKACK2(), new UNICAST3(),
                new STABLE(), new NO_DUPES(), gms, new UFC(), new MFC(), new FRAG4(), new ELECTION2(), raft,
                new REDIRECT());
    }
}
