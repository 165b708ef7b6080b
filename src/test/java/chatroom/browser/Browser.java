package chatroom.browser;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromedriver}), one fresh profile per
 * instance, so two instances are two separate visitors with their own cookies. The viewport and the
 * colour scheme are set through DevTools emulation, so a phone is really 375 CSS pixels wide (a window
 * cannot be made that narrow) and dark mode is what {@code prefers-color-scheme} reports.
 */
public final class Browser implements AutoCloseable {

    static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
    static final Duration PATIENCE = Duration.ofSeconds(15);

    public final ChromeDriver driver;

    Browser(int width, int height, boolean dark) {
        this(width, height, dark, List.of());
    }

    /** A desktop-sized browser started with more Chromium flags, e.g. to trust a test's certificate. */
    public Browser(List<String> extraFlags) {
        this(1100, 800, false, extraFlags);
    }

    private Browser(int width, int height, boolean dark, List<String> extraFlags) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // the flags this machine needs: no sandbox as root, and no background calls to Google's hosts
        options.addArguments(List.of(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--hide-scrollbars",
                "--window-size=" + Math.max(width, 500) + "," + height));
        options.addArguments(extraFlags);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        this.driver = new ChromeDriver(service, options);
        boolean phone = width < 600;
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
                "width", width, "height", height, "deviceScaleFactor", 1, "mobile", phone));
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of(
                "features", List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
        if (phone) { // a touch screen: nothing hovers, so (hover: none) styles apply as on a real phone
            driver.executeCdpCommand("Emulation.setTouchEmulationEnabled", Map.of("enabled", true, "maxTouchPoints", 5));
        }
    }

    Browser() {
        this(1100, 800, false);
    }

    static Browser phone() {
        return new Browser(375, 740, false);
    }

    public <T> T await(Function<WebDriver, T> condition) {
        // presence and history are swapped in whole, so an element found a moment ago may be gone
        return new WebDriverWait(driver, PATIENCE)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition);
    }

    /** Opens a page and waits until its socket is open. */
    public void openRoom(String url) {
        driver.get(url);
        await(d -> "connected".equals(d.findElement(org.openqa.selenium.By.id("status")).getAttribute("data-state")));
    }

    @SuppressWarnings("unchecked")
    public <T> T js(String script, Object... args) {
        return (T) ((JavascriptExecutor) driver).executeScript(script, args);
    }

    byte[] screenshot() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
