#!/usr/bin/env python3
"""Browser test of the voxmon web GUI in real headless Chromium (Debian's chromium and
chromium-driver, driven through python3-selenium).

Run by tests/system/test_gui_browser.cpp, which starts the GUI on a generated capture and
writes the expectations file:
    gui_browser.py EXPECT.json ARTIFACT_DIR
Exit status: 0 passed, 1 failed (the reason on stderr), 77 skipped (no chromium, chromedriver
or selenium). Screenshots of every page go to ARTIFACT_DIR.
"""
import json
import os
import shutil
import subprocess
import sys
import time

SKIP = 77


def main():
    expect = json.load(open(sys.argv[1]))
    artifacts = sys.argv[2]
    os.makedirs(artifacts, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        print("skipped: python3-selenium is not installed", file=sys.stderr)
        return SKIP
    if not chromium or not driver_bin:
        print("skipped: chromium and chromium-driver are not installed", file=sys.stderr)
        return SKIP

    downloads = os.path.join(artifacts, "downloads")
    shutil.rmtree(downloads, ignore_errors=True)
    os.makedirs(downloads)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,1100"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"download.default_directory": downloads,
                                           "download.prompt_for_download": False})
    drv = webdriver.Chrome(service=Service(driver_bin), options=opts)
    wait = WebDriverWait(drv, 20)
    url = expect["url"]

    def shot(name):
        drv.save_screenshot(os.path.join(artifacts, name + ".png"))

    def check(cond, what):
        if not cond:
            shot("failure")
            raise AssertionError(what)

    def text(css):
        return drv.find_element(By.CSS_SELECTOR, css).text

    def wait_text(css, pred, what):
        try:
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, css) and pred(d.find_element(By.CSS_SELECTOR, css).text))
        except Exception:
            shot("failure")
            found = drv.find_elements(By.CSS_SELECTOR, css)
            raise AssertionError(what + " (got %r)" % (found[0].text if found else None))

    def login(name, password):
        wait.until(lambda d: d.find_elements(By.ID, "login-name"))
        drv.find_element(By.ID, "login-name").clear()
        drv.find_element(By.ID, "login-name").send_keys(name)
        drv.find_element(By.ID, "login-password").clear()
        drv.find_element(By.ID, "login-password").send_keys(password)
        drv.find_element(By.ID, "login-submit").click()

    def logout():
        drv.find_element(By.ID, "logout").click()
        wait.until(lambda d: d.find_elements(By.ID, "login-name"))

    try:
        drv.get(url)
        wait.until(lambda d: d.find_elements(By.ID, "login-form"))
        shot("01-login")

        # Admin: the list, a filter, a call with its ladder, streams and pcap download.
        login("admin", expect["admin_password"])
        wait_text("#list-total", lambda t: t == "%d calls" % expect["calls"], "the list shows every call")
        check(len(drv.find_elements(By.CSS_SELECTOR, "#cdr-table tbody tr")) == expect["calls"], "one row per call")
        shot("02-calls")
        drv.find_element(By.ID, "f-response").send_keys("200")
        drv.find_element(By.ID, "search").click()
        wait_text("#list-total", lambda t: t == "%d calls" % expect["answered"], "response=200 filter")
        check(len(drv.find_elements(By.CSS_SELECTOR, "#cdr-table tbody tr")) == expect["answered"], "filtered rows")
        check("response=200" in drv.find_element(By.ID, "csv-link").get_attribute("href"), "CSV link keeps the filter")
        drv.find_element(By.CSS_SELECTOR, "th[data-sort=duration]").click()
        wait.until(lambda d: "sort=duration" in d.current_url)
        wait_text("#list-total", lambda t: t == "%d calls" % expect["answered"], "sorted list")
        shot("03-calls-filtered")
        drv.find_element(By.ID, "f-callid").send_keys(expect["callid"])
        drv.find_element(By.ID, "search").click()
        wait_text("#list-total", lambda t: t == "1 calls", "callid filter")
        drv.find_element(By.CSS_SELECTOR, "#cdr-table tbody tr").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#ladder g.msg"))
        labels = [g.find_elements(By.TAG_NAME, "text")[0].text for g in drv.find_elements(By.CSS_SELECTOR, "#ladder g.msg")]
        check(labels == expect["ladder"], "ladder messages in order: %r" % labels)
        hosts = [t.text for t in drv.find_elements(By.CSS_SELECTOR, "#ladder text.host")]
        check(hosts == expect["hosts"], "ladder hosts: %r" % hosts)
        drv.find_elements(By.CSS_SELECTOR, "#ladder g.msg")[0].click()
        wait_text("#sip-text", lambda t: "INVITE sip:" in t and expect["callid"] in t, "click shows the INVITE text")
        check(len(drv.find_elements(By.CSS_SELECTOR, "#streams tbody tr")) == expect["streams"], "one row per RTP stream")
        # Quality per 10 s: three charts, one line per stream with a point per interval.
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-jitter g.series"))
        for chart in ("chart-mos", "chart-loss", "chart-jitter"):
            points = [int(g.get_attribute("data-points")) for g in drv.find_elements(By.CSS_SELECTOR, "#%s g.series" % chart)]
            check(sorted(points) == sorted(expect["series_points"]), "%s: points per stream %r" % (chart, points))
            circles = len(drv.find_elements(By.CSS_SELECTOR, "#%s circle" % chart))
            check(circles == sum(expect["series_points"]), "%s: %d points drawn" % (chart, circles))
        # Audio: a player per G.711 stream of the RTP pcap.
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#audio-streams tbody tr"))
        players = len(drv.find_elements(By.CSS_SELECTOR, "#audio-streams audio"))
        check(players == expect["g711_players"], "audio players: %d" % players)
        drv.execute_script("document.getElementById('charts').scrollIntoView()")
        shot("04b-call-charts")
        drv.execute_script("window.scrollTo(0, 0)")
        title = drv.find_element(By.CSS_SELECTOR, "#fields tr[data-field=a_mos_f1_mult10]").get_attribute("title")
        check("fixed 50 ms jitter buffer" in title, "field meaning on hover: %r" % title)
        shot("04-call")
        drv.find_element(By.ID, "download-merged").click()
        path = None
        for _ in range(100):
            files = [f for f in os.listdir(downloads) if f.endswith(".pcap")]
            if files:
                path = os.path.join(downloads, files[0])
                break
            time.sleep(0.2)
        check(path is not None, "the merged pcap was downloaded")
        for _ in range(50):  # wait until the size settles
            size = os.path.getsize(path)
            time.sleep(0.2)
            if size and size == os.path.getsize(path):
                break
        tshark = shutil.which("tshark")
        if tshark:
            out = subprocess.run([tshark, "-r", path, "-T", "fields", "-e", "frame.number"], capture_output=True, text=True)
            check(out.returncode == 0, "tshark reads the pcap: " + out.stderr)
            check(len(out.stdout.split()) == expect["pcap_packets"], "packets in the pcap: %d" % len(out.stdout.split()))
            sip = subprocess.run([tshark, "-r", path, "-Y", "sip", "-T", "fields", "-e", "sip.Call-ID"], capture_output=True, text=True)
            ids = sip.stdout.split()
            check(len(ids) == len(expect["ladder"]) and set(ids) == {expect["callid"]}, "tshark sees the call's SIP")
        else:
            print("note: tshark not installed, the pcap was not checked with it", file=sys.stderr)

        drv.find_element(By.CSS_SELECTOR, "#nav a[data-page=dashboard]").click()
        wait_text("#t-calls .value", lambda t: t == str(expect["calls"]), "dashboard call count")
        check(text("#t-asr .value") == "%.1f" % (100.0 * expect["answered"] / expect["calls"]), "dashboard ASR")
        check(drv.find_elements(By.CSS_SELECTOR, "#chart-calls rect"), "calls per minute chart")
        shot("05-dashboard")
        drv.find_element(By.CSS_SELECTOR, "#nav a[data-page=sensors]").click()
        wait_text("#sensors-note", lambda t: "no sensor registry" in t, "sensors page explains the standalone GUI")
        shot("06-sensors")
        drv.find_element(By.CSS_SELECTOR, "#nav a[data-page=users]").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#users tbody tr")) == 2)
        shot("07-users")
        logout()

        # Viewer: no Users link, the page and the API refuse.
        login("viewer", expect["viewer_password"])
        wait_text("#list-total", lambda t: t.endswith("calls"), "viewer sees the list")
        check(not drv.find_element(By.ID, "nav-users").is_displayed(), "viewer has no Users link")
        drv.get(url + "#/users")
        wait_text("main .error", lambda t: "admin role" in t, "viewer refused on the users page")
        status = drv.execute_async_script(
            "const done = arguments[0]; fetch('/api/users').then(r => done(r.status));")
        check(status == 403, "viewer gets 403 from /api/users, got %r" % status)
        shot("08-viewer-refused")
        logout()

        # Wrong password: refused, then rate limited.
        login("viewer", "wrong-password")
        wait_text("#login-message", lambda t: "wrong user name or password" in t, "wrong password refused")
        shot("09-wrong-password")
        for _ in range(4):
            login("viewer", "wrong-password")
            time.sleep(0.3)
        login("viewer", expect["viewer_password"])
        wait_text("#login-message", lambda t: "too many failed logins" in t, "rate limited")
        shot("10-rate-limited")
    except AssertionError as e:
        print("FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        drv.quit()
    print("browser test passed; screenshots in " + artifacts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
