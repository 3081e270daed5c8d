import { register } from 'node:module';

register('./tfjs-resolve-hook.mjs', import.meta.url);
