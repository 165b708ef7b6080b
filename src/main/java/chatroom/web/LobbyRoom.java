package chatroom.web;

/** A public room as the lobby lists it: its name and how many people are in it now. */
public record LobbyRoom(String name, int people) {}
