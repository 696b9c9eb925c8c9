/** Style sheets imported for their side effect: Bun's bundler emits them as the page's CSS. */
declare module "*.css";
