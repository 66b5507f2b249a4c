package spcompat.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SQL script as the SQL client runs it: SET options, DDL, INSERT INTO statements (alone or in
 * a statement set), and COMPILE PLAN / EXECUTE PLAN.
 */
public final class SqlScript {
    /** SET options, in order. */
    public final Map<String, String> options = new LinkedHashMap<>();
    /** Statements run as they come (CREATE, DROP, USE, ...). */
    public final List<String> ddl = new ArrayList<>();
    /** The INSERT statements of the job (one job: all of them form one statement set). */
    public final List<String> inserts = new ArrayList<>();
    /** The job runs from a compiled plan (COMPILE PLAN ... FOR, EXECUTE PLAN). */
    public boolean fromPlan;
    /** EXECUTE PLAN 'file' without a COMPILE PLAN for it in the script. */
    public String executePlanFile;

    private static final Pattern SET =
            Pattern.compile("(?is)^SET\\s+'?([^'=\\s]+)'?\\s*=\\s*'?(.*?)'?\\s*$");
    private static final Pattern COMPILE =
            Pattern.compile("(?is)^COMPILE\\s+(?:AND\\s+EXECUTE\\s+)?PLAN\\s+'([^']*)'\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?FOR\\s+(.*)$");
    private static final Pattern EXECUTE_PLAN = Pattern.compile("(?is)^EXECUTE\\s+PLAN\\s+'([^']*)'\\s*$");
    private static final Pattern SET_BEGIN =
            Pattern.compile("(?is)^(?:EXECUTE\\s+)?(?:STATEMENT\\s+SET\\s+BEGIN|BEGIN\\s+STATEMENT\\s+SET)\\s*(.*)$");

    /** The same script with more SET options (added before its own). */
    public SqlScript withOptions(Map<String, String> extra) {
        SqlScript s = new SqlScript();
        s.options.putAll(options);
        s.options.putAll(extra);
        s.ddl.addAll(ddl);
        s.inserts.addAll(inserts);
        s.fromPlan = fromPlan;
        s.executePlanFile = executePlanFile;
        return s;
    }

    public static SqlScript parse(String text) {
        SqlScript s = new SqlScript();
        List<String> stmts = split(text);
        boolean inSet = false;
        for (String raw : stmts) {
            String st = raw.trim();
            if (st.isEmpty()) {
                continue;
            }
            String upper = st.toUpperCase(Locale.ROOT);
            Matcher m;
            if (inSet) {
                if (upper.equals("END")) {
                    inSet = false;
                } else {
                    s.addInsert(st);
                }
                continue;
            }
            if ((m = SET.matcher(st)).matches()) {
                s.options.put(m.group(1), m.group(2));
            } else if (upper.startsWith("RESET")) {
                // ignored
            } else if ((m = COMPILE.matcher(st)).matches()) {
                s.fromPlan = true;
                String inner = m.group(2).trim();
                Matcher b = SET_BEGIN.matcher(inner);
                if (b.matches()) {
                    inSet = true;
                    if (!b.group(1).trim().isEmpty()) {
                        s.addInsert(b.group(1).trim());
                    }
                } else {
                    s.addInsert(inner);
                }
            } else if ((m = EXECUTE_PLAN.matcher(st)).matches()) {
                s.fromPlan = true;
                if (s.inserts.isEmpty()) {
                    s.executePlanFile = m.group(1);
                }
            } else if ((m = SET_BEGIN.matcher(st)).matches()) {
                inSet = true;
                if (!m.group(1).trim().isEmpty()) {
                    s.addInsert(m.group(1).trim());
                }
            } else if (upper.startsWith("INSERT") || upper.startsWith("EXECUTE INSERT")) {
                s.addInsert(st);
            } else {
                s.ddl.add(st);
            }
        }
        return s;
    }

    private void addInsert(String st) {
        String t = st.trim();
        if (t.toUpperCase(Locale.ROOT).startsWith("EXECUTE ")) {
            t = t.substring("EXECUTE ".length()).trim();
        }
        inserts.add(t);
    }

    /**
     * Splits at semicolons outside quotes and comments; comments are removed, except query hints
     * (block comments that open with a plus sign, such as STATE_TTL or LOOKUP hints), which are
     * part of the statement: they change the plan and its state.
     */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                cur.append('\n');
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                boolean hint = i + 2 < n && text.charAt(i + 2) == '+';
                if (hint) {
                    cur.append(text, i, end < 0 ? n : end + 2);
                } else {
                    cur.append(' ');
                }
                i = end < 0 ? n : end + 1;
            } else if (c == '\'' || c == '"' || c == '`') {
                cur.append(c);
                i++;
                while (i < n) {
                    char d = text.charAt(i);
                    cur.append(d);
                    if (d == c) {
                        if (i + 1 < n && text.charAt(i + 1) == c) {
                            cur.append(c);
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i++;
                }
            } else if (c == ';') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.toString().trim().isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }
}
