import { wordGlobProblem } from "../../util/index.ts";
/** Pieces of the generated sh scripts (wrapper and hooks): quoting, patterns and the denial log. */

/** A string as one sh word: 'it'\''s'. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Word globs joined as the pattern list of an sh `case` item. One that sh and util/glob.ts could
 * read differently is refused: the ACP policy and the wrapper must judge alike.
 */
export function casePatterns(globs: readonly string[]): string {
  for (const glob of globs) {
    const problem = wordGlobProblem(glob);
    if (problem !== undefined) throw new Error(problem);
  }
  return globs.join("|");
}

/** Predictable shell state whatever the caller's environment: no globbing, default field splitting. */
export const SH_PRELUDE = "set -f\nIFS=' \t\n'\n";

/**
 * `log_entry RULE BY REFUSED ARG...` appends one JSON line to the guard log:
 * `{"rule","argv","cwd","at","by","refused"}`. A log the sandbox does not let us write is skipped
 * silently: the denial itself still stands.
 */
export function shLogFunctions(logFile: string): string {
  return `log_file=${shQuote(logFile)}

json_str() {
  _s=$1 _out=
  _ctl=$(printf '\\001\\002\\003\\004\\005\\006\\007\\010\\011\\012\\013\\014\\015\\016\\017\\020\\021\\022\\023\\024\\025\\026\\027\\030\\031\\032\\033\\034\\035\\036\\037')
  while :; do
    case $_s in
      *[\\\\\\"$_ctl]*)
        _head=\${_s%%[\\\\\\"$_ctl]*}
        _s=\${_s#"$_head"}
        _rest=\${_s#?}
        _c=\${_s%"$_rest"}
        _s=$_rest
        case $_c in
          \\\\) _out="$_out$_head\\\\\\\\" ;;
          \\") _out="$_out$_head\\\\\\"" ;;
          *) _out="$_out$_head$(printf '\\\\u%04x' "'$_c")" ;;
        esac ;;
      *) _out="$_out$_s"; break ;;
    esac
  done
  printf '"%s"' "$_out"
}

log_entry() {
  _rule=$1 _by=$2 _refused=$3
  shift 3
  _argv= _sep=
  for _a in "$@"; do _argv="$_argv$_sep$(json_str "$_a")"; _sep=,; done
  _at=$(date +%s%3N 2>/dev/null)
  case $_at in ''|*[!0-9]*) _at=$(date +%s 2>/dev/null)000 ;; esac
  case $_at in [1-9]*) ;; *) _at=0 ;; esac
  printf '{"rule":%s,"argv":[%s],"cwd":%s,"at":%s,"by":"%s","refused":%s}\\n' \\
    "$(json_str "$_rule")" "$_argv" "$(json_str "$(pwd -P)")" "$_at" "$_by" "$_refused" \\
    2>/dev/null >>"$log_file" || :
}
`;
}
