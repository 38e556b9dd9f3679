"""The catalogue loader and the code generator of bilibili_sdk."""
