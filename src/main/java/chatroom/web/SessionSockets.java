package chatroom.web;

import chatroom.account.Directory;
import chatroom.room.Member;
import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open sockets of each signed-in session on this node, so that a session ended anywhere (signed out
 * on this device, ended from another one, on any node) closes its sockets here too, with {@link
 * Member.CloseReason#SIGNED_OUT}: a copied cookie that opened a socket does not keep listening.
 */
final class SessionSockets {

    private final Directory directory;
    private final ConcurrentHashMap<String, Set<WebSocketMember>> bySession = new ConcurrentHashMap<>();

    SessionSockets(Directory directory) {
        this.directory = directory;
        directory.onRevoked(this::revoked);
    }

    /** A socket of {@code identity} opened; nothing to keep for a guest. */
    void opened(Identity identity, WebSocketMember member, Channel channel) {
        String session = identity.session();
        if (session == null) return;
        bySession.computeIfAbsent(session, k -> ConcurrentHashMap.newKeySet()).add(member);
        channel.closeFuture().addListener(closed -> bySession.computeIfPresent(session, (k, members) -> {
            members.remove(member);
            return members.isEmpty() ? null : members;
        }));
        // ended between the upgrade's check and now: the listener may have run before this socket was here
        if (directory.signedIn(session) == null) revoked(session);
    }

    private void revoked(String session) {
        Set<WebSocketMember> members = bySession.remove(session);
        if (members == null) return;
        for (WebSocketMember member : members) {
            member.close(Member.CloseReason.SIGNED_OUT);
        }
    }
}
