package dev.serverfleet.operator.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Columns as kubectl prints them (its tabwriter: a column is as wide as its widest cell plus three
 * spaces, at least ten; the last column is not padded).
 */
final class Table {
  private static final int PADDING = 3;
  private static final int MIN_WIDTH = 10;

  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    rows.add(header);
  }

  Table row(String... cells) {
    if (cells.length != rows.get(0).length) {
      throw new IllegalArgumentException("a row has " + rows.get(0).length + " cells");
    }
    rows.add(cells);
    return this;
  }

  void print(PrintWriter out) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], Math.max(row[c].length() + PADDING, MIN_WIDTH));
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns - 1; c++) {
        line.append(row[c]).append(" ".repeat(width[c] - row[c].length()));
      }
      out.println(line.append(row[columns - 1]));
    }
    out.flush();
  }
}
