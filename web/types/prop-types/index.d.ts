// Minimal stand-in for the `prop-types` package, which @types/react imports but Debian
// does not ship. Only the names @types/react refers to; this app does not use PropTypes.
export declare const nominalTypeHack: unique symbol;
export interface Validator<T> { (props: { [key: string]: unknown }, propName: string, componentName: string, location: string, propFullName: string): Error | null; [nominalTypeHack]?: { type: T } }
export interface Requireable<T> extends Validator<T | undefined | null> { isRequired: Validator<NonNullable<T>> }
export type ValidationMap<T> = { [K in keyof T]?: Validator<T[K]> };
export type InferProps<V> = { [K in keyof V]: V[K] extends Validator<infer T> ? T : never };
export declare const any: Requireable<unknown>;
export declare const array: Requireable<unknown[]>;
export declare const bool: Requireable<boolean>;
export declare const func: Requireable<(...args: unknown[]) => unknown>;
export declare const number: Requireable<number>;
export declare const object: Requireable<object>;
export declare const string: Requireable<string>;
export declare const node: Requireable<unknown>;
export declare const element: Requireable<unknown>;
export declare function instanceOf<T>(expectedClass: new (...args: unknown[]) => T): Requireable<T>;
export declare function oneOf<T>(types: ReadonlyArray<T>): Requireable<T>;
export declare function oneOfType<T extends Validator<unknown>>(types: T[]): Requireable<unknown>;
export declare function arrayOf<T>(type: Validator<T>): Requireable<T[]>;
export declare function objectOf<T>(type: Validator<T>): Requireable<{ [K in keyof unknown]: T }>;
export declare function shape<P extends ValidationMap<unknown>>(type: P): Requireable<InferProps<P>>;
export declare function exact<P extends ValidationMap<unknown>>(type: P): Requireable<Required<InferProps<P>>>;
