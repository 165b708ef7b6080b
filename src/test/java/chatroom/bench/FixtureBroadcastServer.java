package chatroom.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A broadcast server for the bench's own tests: speaks the Chatroom protocol at
 * {@code /r/{room}/ws} ({"message": ...} in, an HTML fragment to every member out, "ping" →
 * "pong", the last 50 messages on join) and can be told to misbehave for one member of one room:
 * drop a message, send it twice, or hold it back until after the sender's next one.
 *
 * <p>Members are numbered in join order per room; messages by arrival order per room (from 0).
 * Everything runs on one event loop thread, so the room order is exactly the order of arrival and
 * no write can overtake another.
 */
final class FixtureBroadcastServer implements AutoCloseable {

    enum Fault { DROP, DUPLICATE, REORDER }

    private static final int HISTORY_MESSAGES = 50;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, Room> rooms = new HashMap<>();
    private final Channel listening;
    private volatile boolean sendsHistory = true;

    private FixtureBroadcastServer() {
        listening = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/r").checkStartsWith(true).build()))
                                .addLast(new MemberHandler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    static FixtureBroadcastServer start() {
        return new FixtureBroadcastServer();
    }

    String urlTemplate() {
        return "ws://127.0.0.1:" + ((InetSocketAddress) listening.localAddress()).getPort() + "/r/{room}/ws";
    }

    /** Injects a fault for the member that joined {@code room} as number memberIndex, at message seq. */
    FixtureBroadcastServer inject(Fault fault, String room, int memberIndex, long seq) {
        faults.put(room + "/" + memberIndex + "/" + seq, fault);
        return this;
    }

    /** Like the reference servers: no history on join. */
    FixtureBroadcastServer withoutHistory() {
        sendsHistory = false;
        return this;
    }

    @Override
    public void close() {
        listening.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static String fragment(List<String> texts) {
        StringBuilder html = new StringBuilder("<ul id=\"messages\" hx-swap-oob=\"beforeend\">");
        texts.forEach(text -> html.append("<li>").append(text).append("</li>"));
        return html.append("</ul>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The value of "message" in a flat JSON object of plain strings (all the bench sends). */
    private static String messageOf(String json) {
        String key = "\"message\":\"";
        int start = json.indexOf(key);
        if (start < 0) {
            return null;
        }
        start += key.length();
        return json.substring(start, json.indexOf('"', start));
    }

    private final class Room {
        final String name;
        final List<Member> members = new ArrayList<>();
        final List<String> history = new ArrayList<>();
        int joined;
        long nextSeq;

        Room(String name) {
            this.name = name;
        }

        void broadcast(Channel sender, String text) {
            long seq = nextSeq++;
            history.add(text);
            String html = fragment(List.of(text));
            for (Member member : members) {
                Fault fault = faults.get(name + "/" + member.index + "/" + seq);
                if (fault == Fault.DROP) {
                    continue;
                }
                if (fault == Fault.REORDER) {
                    member.held = html;
                    member.heldFrom = sender;
                    continue;
                }
                member.send(html);
                if (fault == Fault.DUPLICATE) {
                    member.send(html);
                }
                if (member.held != null && member.heldFrom == sender) {
                    member.send(member.held);
                    member.held = null;
                }
            }
        }
    }

    private static final class Member {
        final Channel channel;
        final int index;
        String held;
        Channel heldFrom;

        Member(Channel channel, int index) {
            this.channel = channel;
            this.index = index;
        }

        void send(String html) {
            channel.writeAndFlush(new TextWebSocketFrame(html));
        }
    }

    private final class MemberHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private Room room;
        private Member member;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                String path = handshake.requestUri(); // /r/{room}/ws
                String name = path.substring("/r/".length(), path.lastIndexOf("/ws"));
                room = rooms.computeIfAbsent(name, Room::new);
                member = new Member(ctx.channel(), room.joined++);
                room.members.add(member);
                if (sendsHistory && !room.history.isEmpty()) {
                    List<String> recent = room.history.subList(Math.max(0, room.history.size() - HISTORY_MESSAGES), room.history.size());
                    member.send(fragment(recent));
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            String text = frame.text();
            if (text.equals("ping")) {
                ctx.writeAndFlush(new TextWebSocketFrame("pong"));
                return;
            }
            String message = messageOf(text);
            if (message != null && room != null) {
                room.broadcast(ctx.channel(), escape(message));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (room != null) {
                room.members.remove(member);
            }
            ctx.fireChannelInactive();
        }
    }
}
