package io.jasyncio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Javadoc overview page (src/main/javadoc/overview.html) is generated from the README's
 * "asyncio → jasyncio" table by scripts/overview-from-readme.py: this fails when the README's table
 * changed and the page was not regenerated. It compares the rows' text, markup aside.
 */
class OverviewPageTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theOverviewHasTheReadmesTable() throws IOException {
        List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
        int i = readme.indexOf("## asyncio → jasyncio");
        assertTrue(i >= 0, "the README has no asyncio → jasyncio section");
        while (!readme.get(i).startsWith("| asyncio |")) {
            i++;
        }
        List<String> rows = new ArrayList<>();
        for (int k = i + 2; k < readme.size() && readme.get(k).startsWith("|"); k++) {
            rows.add(plain(readme.get(k).replaceAll("\\*\\*|`", "").replaceAll("\\[([^\\]]+)]\\([^)]+\\)", "$1")));
        }
        assertTrue(rows.size() > 20, "too few rows: " + rows.size());
        String page = Files.readString(ROOT.resolve("jasyncio-core/src/main/javadoc/overview.html"));
        List<String> pageRows = new ArrayList<>();
        for (String line : page.split("\n")) {
            if (line.startsWith("<tr><td>")) {
                pageRows.add(plain(line.replaceAll("</td><td>", "|").replaceAll("<[^>]+>", "")
                        .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")));
            }
        }
        assertEquals(rows, pageRows, "regenerate the overview with scripts/overview-from-readme.py");
    }

    private static String plain(String row) {
        List<String> cells = new ArrayList<>();
        for (String cell : row.strip().replaceAll("^\\||\\|$", "").split("\\|", -1)) {
            cells.add(cell.strip());
        }
        while (!cells.isEmpty() && cells.getLast().isEmpty()) {
            cells.removeLast();
        }
        return String.join(" | ", cells);
    }
}
