package chatroom.web;

/** What every page template needs: its title, the static files, and who is looking. */
public record Page(String title, Assets assets, Identity me) {}
