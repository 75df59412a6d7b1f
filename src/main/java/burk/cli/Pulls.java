package burk.cli;

import burk.image.Credentials;
import burk.image.ImageException;
import burk.image.ImageReference;
import burk.image.ImageStore;
import burk.image.Platform;
import burk.image.PullProgress;
import burk.image.Puller;
import burk.image.RegistryClient;
import burk.image.StoredImage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The registry side of the CLI: pull, login, logout. */
final class Pulls {
    private Pulls() {}

    static StoredImage pull(ImageStore store, String ref, Platform platform, PrintStream progress) throws ImageException {
        ImageReference r;
        try {
            r = ImageReference.parse(ref);
        } catch (IllegalArgumentException e) {
            throw new ImageException(e.getMessage(), e);
        }
        Puller p = new Puller(store, RegistryClient.fromEnvironment(), progress == null ? null : PullProgress.to(progress), 3);
        return p.pull(r, platform == null ? Platform.current() : platform);
    }

    static int login(String cmd, List<String> args, PrintStream out) throws UsageError, ImageException {
        FrontArgs f = FrontArgs.parse(args, Set.of("password-stdin"), Set.of("username", "password"),
                Map.of("u", "username", "p", "password"), false);
        String registry = f.positional().isEmpty() ? ImageReference.DOCKER_HUB : f.positional().get(0);
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) registry = ImageReference.DOCKER_HUB;
        Credentials creds = Credentials.fromEnvironment();
        if (cmd.equals("logout")) {
            creds.store(registry, null);
            out.println("Removed login credentials for " + registry);
            return 0;
        }
        String user = f.value("username", null);
        String password = f.value("password", null);
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            if (user == null) {
                if (System.console() == null) throw new UsageError("login: give --username (no terminal to ask on)");
                user = System.console().readLine("Username: ");
            }
            if (f.bool("password-stdin")) {
                password = in.readLine();
            } else if (password == null) {
                if (System.console() == null) throw new UsageError("login: give --password-stdin (no terminal to ask on)");
                password = new String(System.console().readPassword("Password: "));
            }
        } catch (IOException e) {
            throw new ImageException("login: " + e.getMessage(), e);
        }
        if (password == null || password.isEmpty()) throw new UsageError("login: empty password");
        Credentials.Login login = new Credentials.Login(user, password.strip());
        RegistryClient.fromEnvironment().checkLogin(registry, login);
        creds.store(registry, login);
        out.println("Login Succeeded");
        return 0;
    }
}
