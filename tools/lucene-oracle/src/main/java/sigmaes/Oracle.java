package sigmaes;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.CharacterRunAutomaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.RegExp;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * Line protocol on stdin/stdout, one request per line, fields separated by a tab, strings as
 * base64 of UTF-8 (so patterns and terms may hold tabs, newlines, any code point):
 *   R <pattern> <ci:0|1> <term>   regexp query: RegExp(pattern, ALL, ci ? ASCII_CASE_INSENSITIVE : 0),
 *                                 which is what Elasticsearch's regexp query builds
 *   W <pattern> <ci:0|1> <term>   wildcard query; ci=1 reproduces Elasticsearch's
 *                                 AutomatonQueries.toCaseInsensitiveWildcardNFA
 *   D <pattern> <ci:0|1> <limit>  determinization cost, as Elasticsearch 9.5's regexp query on a
 *                                 keyword field pays it: RegExp(pattern, ALL | DEPRECATED_COMPLEMENT
 *                                 (= RegexpFlag.ALL, 0x100FF), ci ? ASCII_CASE_INSENSITIVE : 0), then
 *                                 determinize(a, max_determinized_states). <limit> is a decimal
 *                                 workLimit, not base64.
 *                                 Answer "<t> <w>": t = 1 if determinize(a, limit) throws
 *                                 TooComplexToDeterminizeException; w = the smallest workLimit that
 *                                 does not throw (Lucene throws iff effort >= 10 * workLimit, so w =
 *                                 floor(effort / 10) + 1 pins the effort down to a decade), or -1
 *                                 when it throws even at 20000.
 * Answer: "1" (match), "0" (no match) or "E <message>" (pattern rejected).
 */
public final class Oracle {
  private static final Map<String, Object> cache = new HashMap<>();

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] f = line.split("\t", -1);
      try {
        if (f[0].equals("D")) {
          out.println(determinizeCost(dec(f[1]), f[2].equals("1"), Integer.parseInt(f[3])));
          out.flush();
          continue;
        }
        String pattern = dec(f[1]);
        boolean ci = f[2].equals("1");
        String term = dec(f[3]);
        String key = f[0] + (ci ? "1" : "0") + pattern;
        Object run = cache.get(key);
        if (run == null) {
          try {
            run = compile(f[0], pattern, ci);
          } catch (RuntimeException e) {
            run = "E " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ');
          }
          if (cache.size() > 10000) cache.clear();
          cache.put(key, run);
        }
        if (run instanceof String s) out.println(s);
        else out.println(((CharacterRunAutomaton) run).run(term) ? "1" : "0");
      } catch (RuntimeException e) {
        out.println("E " + e);
      }
      out.flush();
    }
  }

  @SuppressWarnings("deprecation")
  private static String determinizeCost(String pattern, boolean ci, int limit) {
    Automaton a;
    try {
      a = new RegExp(pattern, RegExp.ALL | RegExp.DEPRECATED_COMPLEMENT, ci ? RegExp.ASCII_CASE_INSENSITIVE : 0).toAutomaton();
    } catch (RuntimeException e) {
      return "E " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ');
    }
    boolean t = throwsAt(a, limit);
    int lo = 1, hi = 20_001; // throwsAt is monotone in the limit: find the first that passes
    if (throwsAt(a, hi)) return (t ? "1" : "0") + " -1";
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (throwsAt(a, mid)) lo = mid + 1;
      else hi = mid;
    }
    return (t ? "1" : "0") + " " + lo;
  }

  private static boolean throwsAt(Automaton a, int workLimit) {
    try {
      Operations.determinize(a, workLimit);
      return false;
    } catch (TooComplexToDeterminizeException e) {
      return true;
    }
  }

  private static String dec(String s) {
    return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
  }

  @SuppressWarnings("deprecation")
  private static CharacterRunAutomaton compile(String kind, String pattern, boolean ci) {
    Automaton a;
    if (kind.equals("R")) {
      a = new RegExp(pattern, RegExp.ALL, ci ? RegExp.ASCII_CASE_INSENSITIVE : 0).toAutomaton();
    } else if (kind.equals("W")) {
      a = ci ? caseInsensitiveWildcard(pattern) : WildcardQuery.toAutomaton(new Term("f", pattern), Operations.DEFAULT_DETERMINIZE_WORK_LIMIT);
    } else {
      throw new IllegalArgumentException("unknown request kind " + kind);
    }
    return new CharacterRunAutomaton(Operations.determinize(a, 1_000_000));
  }

  // Copy of Elasticsearch 9.3 AutomatonQueries.toCaseInsensitiveWildcardNFA / toCaseInsensitiveChar
  // (server code, not in lucene-core).
  private static Automaton caseInsensitiveWildcard(String text) {
    List<Automaton> automata = new ArrayList<>();
    for (int i = 0; i < text.length();) {
      final int c = text.codePointAt(i);
      int length = Character.charCount(c);
      if (c == '*') automata.add(Automata.makeAnyString());
      else if (c == '?') automata.add(Automata.makeAnyChar());
      else if (c == '\\' && i + length < text.length()) {
        int next = text.codePointAt(i + length);
        length += Character.charCount(next);
        automata.add(Automata.makeChar(next));
      } else automata.add(caseInsensitiveChar(c));
      i += length;
    }
    return Operations.concatenate(automata);
  }

  private static Automaton caseInsensitiveChar(int codepoint) {
    Automaton case1 = Automata.makeChar(codepoint);
    if (codepoint > 128) return case1;
    int alt = Character.isLowerCase(codepoint) ? Character.toUpperCase(codepoint) : Character.toLowerCase(codepoint);
    return alt != codepoint ? Operations.union(case1, Automata.makeChar(alt)) : case1;
  }
}
