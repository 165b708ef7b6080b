package chatroom.room;

import java.util.List;
import java.util.stream.Collectors;

/** Views that render plain tokens, so tests can read what a member was sent. */
final class FakeViews implements RoomViews {

    @Override
    public Fragment event(RoomEvent event) {
        return switch (event) {
            case RoomEvent.Posted posted -> {
                Message m = posted.message();
                yield new Fragment(("msg:" + m.seq() + ":" + m.text()).getBytes(), m.seq());
            }
            case RoomEvent.Edited edited ->
                new Fragment(("edit:" + edited.message().seq() + ":" + edited.message().text()).getBytes(), edited.seq());
            case RoomEvent.Deleted deleted -> new Fragment(("deleted:" + deleted.message().seq()).getBytes(), deleted.seq());
            case RoomEvent.Reacted reacted -> new Fragment(
                    ("reacted:" + reacted.message().seq() + ":" + reacted.emoji() + ":" + reacted.message().reactions().size()).getBytes(),
                    reacted.seq());
            case RoomEvent.Unreacted unreacted -> new Fragment(
                    ("unreacted:" + unreacted.message().seq() + ":" + unreacted.emoji() + ":" + unreacted.message().reactions().size())
                            .getBytes(), unreacted.seq());
        };
    }

    @Override
    public Fragment missed(List<RoomEvent> events) {
        if (events.stream().allMatch(e -> e instanceof RoomEvent.Posted)) {
            return history(events.stream().map(StoredMessages::message).toList(), false);
        }
        String body = events.stream().map(e -> new String(event(e).html())).collect(Collectors.joining(" "));
        return new Fragment(("replay[" + body + "]").getBytes(), events.getLast().seq());
    }

    @Override
    public Fragment history(List<Message> messages, boolean replace) {
        String body = messages.stream().map(m -> "msg:" + m.seq() + ":" + m.text()).collect(Collectors.joining(" "));
        return new Fragment(((replace ? "history[" : "replay[") + body + "]").getBytes(),
                messages.isEmpty() ? 0 : messages.get(messages.size() - 1).seq());
    }

    @Override
    public Fragment presence(List<Author> here) {
        return Fragment.of("presence:" + here.stream().map(Author::name).collect(Collectors.joining(",")));
    }

    @Override
    public Fragment notice(String text) {
        return Fragment.of("notice:" + text);
    }

    @Override
    public Fragment usersNotice(List<String> users, String what) {
        return Fragment.of("notice:" + Names.listed(users) + " " + what);
    }

    @Override
    public Fragment renameNotice(String oldName, String newName) {
        return Fragment.of("notice:" + oldName + " is now " + newName);
    }

    @Override
    public Fragment error(String text) {
        return Fragment.of("error:" + text);
    }

    @Override
    public Fragment typing(java.util.List<Author> typists) {
        return Fragment.of("typing:" + String.join(",", typists.stream().map(Author::name).toList()));
    }

    @Override
    public Fragment notSent(String text, String clientId, long retryAfterMillis) {
        return Fragment.of("error:" + text + (clientId == null ? "" : " [cid " + clientId + "]"));
    }
}
