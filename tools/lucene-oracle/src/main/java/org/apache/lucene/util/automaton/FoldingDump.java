package org.apache.lucene.util.automaton;

import java.util.TreeSet;

/**
 * Prints Lucene's case-insensitive alternatives for every code point whose set is not just
 * itself, so the TypeScript matcher uses Lucene's own table (and the JDK's Character case
 * mappings, which Lucene consults) instead of a re-derivation. Lives in Lucene's package
 * because CaseFolding is package-private.
 * Output: one line per code point, hex: "cp alt1 alt2 ..." (alternatives exclude cp).
 */
public final class FoldingDump {
  public static void main(String[] args) {
    StringBuilder out = new StringBuilder();
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      final int c = cp;
      TreeSet<Integer> set = new TreeSet<>();
      CaseFolding.expand(c, v -> { if (v != c) set.add(v); });
      if (set.isEmpty()) continue;
      out.append(Integer.toHexString(c));
      for (int v : set) out.append(' ').append(Integer.toHexString(v));
      out.append('\n');
    }
    System.out.print(out);
  }
}
