// type-graphql reads decorator metadata through reflect-metadata.
import "reflect-metadata";
