// Minimal stand-in for the `csstype` package, which @types/react imports but Debian does
// not ship. React's CSSProperties extends Properties; this keeps the style prop typed as
// "CSS property name -> string or number" (no per-property checking).
export interface Properties<TLength = string | 0, TTime = string> {
    [property: string]: TLength | TTime | string | number | undefined;
}
