package io.jasyncio.test.guide;

import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The code under test in the testing guide (docs/testing.md): a fetcher in the shape of the
 * books' headline fetcher. It asks every site at once, gives each its own timeout, and fails
 * (cancelling the rest) if a site answers with an error.
 */
final class Fetcher {
    /** Where pages come from: a real HTTP client in the program, a fake in the tests. */
    interface Site {
        String get(String url) throws Exception;
    }

    private final Site site;
    private final double timeout;

    Fetcher(Site site, double timeout) {
        this.site = site;
        this.timeout = timeout;
    }

    /** One page, or null if the site did not answer in time. */
    String fetch(String url) throws Exception {
        try {
            return Asyncio.timeout(timeout).run(() -> site.get(url));
        } catch (AsyncTimeoutException e) {
            return null;
        }
    }

    /** Every page, by url, in the order given; a site that fails fails them all. */
    Map<String, String> fetchAll(List<String> urls) {
        return TaskGroup.call(g -> {
            List<Task<String>> tasks = new ArrayList<>();
            for (String u : urls) {
                tasks.add(g.createTask("fetch " + u, () -> fetch(u)));
            }
            Map<String, String> pages = new LinkedHashMap<>();
            for (int i = 0; i < urls.size(); i++) {
                pages.put(urls.get(i), tasks.get(i).await());
            }
            return pages;
        });
    }
}
